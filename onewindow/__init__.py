"""OneWindow (一窗通办): one notice, one form, one window, one licence."""
