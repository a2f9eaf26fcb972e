from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttritionConfig(AppConfig):
    name = "fidelia.attrition"
    label = "attrition"
    verbose_name = _("Attrition")

    def ready(self) -> None:
        from fidelia.attrition.facts import register_facts
        from fidelia.attrition.privacy import register_hooks
        from fidelia.attrition.tasks import on_customer_event
        from fidelia.sales.signals import contracts_signed, purchases_recorded
        from fidelia.service.signals import complaints_changed
        from fidelia.surveys.signals import answers_recorded

        register_facts()
        register_hooks()
        # What changes a customer's signals rescores them at once with the last fitted model.
        purchases_recorded.connect(on_customer_event, dispatch_uid="attrition.rescore_on_purchase")
        contracts_signed.connect(on_customer_event, dispatch_uid="attrition.rescore_on_contract")
        complaints_changed.connect(on_customer_event, dispatch_uid="attrition.rescore_on_complaint")
        answers_recorded.connect(on_customer_event, dispatch_uid="attrition.rescore_on_answer")
