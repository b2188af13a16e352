"""ApiToken.all_merchants: a token's scope is said, not implied. Existing tokens without
merchants served every merchant; they keep doing so, now explicitly."""

from django.db import migrations, models


def existing_unscoped_tokens_serve_every_merchant(apps, schema_editor):
    ApiToken = apps.get_model("fulfillment", "ApiToken")
    ApiToken.objects.filter(merchants__isnull=True).update(all_merchants=True)


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0007_import_catch_up"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="all_merchants",
            field=models.BooleanField(
                default=False,
                help_text="Serves every merchant, present and future (a 3PL-wide warehouse "
                "system).",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="merchants",
            field=models.ManyToManyField(
                blank=True,
                help_text="Merchants this token serves (a token for no merchant sees nothing).",
                related_name="api_tokens",
                to="stores.merchant",
            ),
        ),
        migrations.RunPython(existing_unscoped_tokens_serve_every_merchant, migrations.RunPython.noop),
    ]
