"""Admin pages: in-app notifications and the SMS/email outbox."""

from django.contrib import admin

from onewindow.notifications.models import Notification, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "provider_reference",
    ]
    list_filter = ["channel", "status"]
    search_fields = ["recipient", "body"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    search_fields = ["title", "body"]
