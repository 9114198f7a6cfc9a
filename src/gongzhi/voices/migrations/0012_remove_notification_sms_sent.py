from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("voices", "0011_notification_sms_status_from_sms_sent")]

    operations = [migrations.RemoveField(model_name="notification", name="sms_sent")]
