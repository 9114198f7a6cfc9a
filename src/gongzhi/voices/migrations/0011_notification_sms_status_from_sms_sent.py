"""Notifications from before the outbox: sent ones are SENT; unsent ones are FAILED, not
PENDING, so that the first sweep does not send months-old messages."""

from django.db import migrations


def forwards(apps, schema_editor):
    Notification = apps.get_model("voices", "Notification")
    Notification.objects.filter(sms_sent=True).update(sms_status="sent")
    Notification.objects.filter(sms_sent=False).update(sms_status="failed")


def backwards(apps, schema_editor):
    Notification = apps.get_model("voices", "Notification")
    Notification.objects.filter(sms_status="sent").update(sms_sent=True)


class Migration(migrations.Migration):
    dependencies = [("voices", "0010_notification_sms_outbox")]

    operations = [migrations.RunPython(forwards, backwards)]
