from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0006_outbox_writes_blocked"),
    ]

    operations = [
        migrations.AddField(
            model_name="importstate",
            name="catch_up_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
