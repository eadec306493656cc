"""In-app notifications and the outbox of SMS and email messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notifications_unread_idx")]

    def __str__(self) -> str:
        return self.title


class OutboundMessage(models.Model):
    """An SMS or email waiting for, or done with, delivery through its adapter.

    待发送 → 发送中 (a worker has claimed it and is calling the provider) → 已发送 once the provider
    took it. A failed call puts it back to 待发送 with a later 下次尝试; 发送失败 is final: the provider
    refused the message itself (an invalid number) or every attempt failed.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=5, choices=Channel.choices)
    # As long as the longest email address a user may have (User.email).
    recipient = models.CharField(_("接收人"), max_length=254, help_text=_("手机号码或电子邮件地址。"))
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(
        _("尝试次数"), default=0, help_text=_("已调用短信或邮件平台的次数，成功和失败都计入。")
    )
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(
        _("下次尝试"),
        null=True,
        blank=True,
        help_text=_("上次发送失败后，重试任务（onewindow outbox retry）最早在此时间再次发送。"),
    )
    claimed_at = models.DateTimeField(
        _("开始发送时间"),
        null=True,
        blank=True,
        help_text=_(
            "任务进程开始调用平台的时间。几分钟后仍为“发送中”，说明进程在调用时中断，"
            "重试任务会把消息重新排队。"
        ),
    )
    provider_reference = models.CharField(_("回执编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, help_text=_("平台接收消息的时间。"))

    class Meta:
        verbose_name = _("短信与邮件发件箱")
        verbose_name_plural = _("短信与邮件发件箱")
        ordering = ["-created_at"]
        # The retry loop: messages still to send (待发送, and 发送中 left behind by a dead worker), oldest first.
        indexes = [models.Index(fields=["status", "created_at"], name="notifications_outbox_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False),
                name="notifications_outbox_sending_claimed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notifications_outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"
