"""Forms of the sales pages: they parse and shape input; the services hold the rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fidelia.accounts.models import Team, User
from fidelia.core.errors import DomainError
from fidelia.sales.enums import (
    ContractStatus,
    LeadSource,
    LeadStatus,
    ProductKind,
    QuoteStatus,
    SalesChannel,
    StageOutcome,
)
from fidelia.sales.models import LostReason, PipelineStage, Product, ProductFamily
from fidelia.sales.selectors import (
    ContractFilters,
    LeadFilters,
    PipelineFilters,
    ProductFilters,
    QuoteFilters,
    TransactionFilters,
)

MAX_AMOUNT = Decimal("9999999999.99")  # what the 12-digit, 2-decimal columns hold
MAX_RENEWAL_DAYS = 3660


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # the browser's date picker sends and expects ISO dates whatever the language
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def money_field(label: str, *, required: bool = True, min_value: Decimal | None = Decimal("0"),
                help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=12, decimal_places=2,
                              min_value=min_value, max_value=MAX_AMOUNT, localize=True,
                              help_text=help_text)


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: field messages next to fields, the rest on top."""
    placed = False
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class FamilyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    family = forms.ModelChoiceField(label=_("Family"), queryset=ProductFamily.objects.all())
    kind = forms.ChoiceField(label=_("Strategic or tactical"), choices=ProductKind.choices)
    price = money_field(_("Price (€)"))
    margin_rate = forms.DecimalField(
        label=_("Margin rate"), max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1"),
        localize=True, help_text=_("Share of the price that is margin, between 0 and 1 (0.25 for 25 %)."),
    )
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    @classmethod
    def for_product(cls, product: Product, data: Any = None) -> ProductForm:
        initial = {name: getattr(product, name) for name in
                   ("code", "name", "kind", "price", "margin_rate", "is_active", "description", "version")}
        form = cls(data, initial={**initial, "family": product.family_id})
        form.fields["version"].required = True  # an edit must say which version it started from
        return form

    def service_values(self) -> dict[str, Any]:
        """The cleaned values the product services take (the version travels separately)."""
        values = dict(self.cleaned_data)
        values.pop("version", None)
        values["code"] = values["code"].strip()
        return values


class ProductChoiceField(forms.ModelChoiceField):
    """Products named with their code, which is what the sales staff know them by."""

    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.name} ({obj.code})"


class ContractForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    reference = forms.CharField(label=_("Reference"), max_length=40, required=False,
                                help_text=_("Left empty, a reference is generated."))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    renewal_date = forms.DateField(label=_("Renewal date"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ContractStatus.choices, initial=ContractStatus.ACTIVE)
    # the product's catalogue price is no guide to what a contract costs a year: left empty, it is 0
    annual_amount = money_field(_("Annual amount (€)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, products: QuerySet[Product], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        if editing:
            # the reference identifies the contract outside the CRM: it is not changed afterwards
            del self.fields["reference"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        if values.get("annual_amount") is None:
            values["annual_amount"] = Decimal("0")
        return values


class TransactionForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)
    amount = money_field(_("Amount (€)"), min_value=-MAX_AMOUNT,
                         help_text=_("Total paid; a negative amount records a refund."))
    margin = money_field(_("Margin (€)"), required=False, min_value=-MAX_AMOUNT,
                         help_text=_("Left empty, the amount × the product's margin rate."))
    channel = forms.ChoiceField(label=_("Channel"), choices=SalesChannel.choices)

    def __init__(self, *args: Any, products: QuerySet[Product], margins: bool = True, **kwargs: Any) -> None:
        """`margins`: whether the user may read (and so set) margins; without it the field is not
        offered, and a margin sent anyway is an error rather than silently ignored."""
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.margin_sent_without_right = False
        if not margins:
            del self.fields["margin"]
            self.margin_sent_without_right = self.data.get("margin") not in (None, "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.margin_sent_without_right:
            self.add_error(None, _("You may not change these fields: %(fields)s.") % {"fields": "margin"})
        return data


# --- list filters: a bad value is reported next to its field and ignored, never an error page --


class _FilterForm(forms.Form):
    def valid_values(self) -> dict[str, Any]:
        """The values that passed validation; invalid or empty ones are left out."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ProductFilterForm(_FilterForm):
    ACTIVE_CHOICES = [("", pgettext_lazy("products on sale or not", "All")), ("yes", _("On sale")), ("no", _("Not on sale"))]

    family = forms.ModelChoiceField(label=_("Family"), queryset=ProductFamily.objects.all(), required=False,
                                    empty_label=_("All families"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ProductKind.choices], required=False)
    active = forms.ChoiceField(label=_("On sale"), choices=ACTIVE_CHOICES, required=False)

    def filters(self) -> ProductFilters:
        v = self.valid_values()
        return ProductFilters(family=v["family"].pk if "family" in v else None, kind=v.get("kind", ""),
                              active={"yes": True, "no": False}.get(v.get("active", "")))


class ContractFilterForm(_FilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *ContractStatus.choices],
                               required=False)
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False,
                                 empty_label=_("All products"))
    renewal_within = forms.IntegerField(label=_("Renewal within (days)"), min_value=0, max_value=MAX_RENEWAL_DAYS,
                                        required=False, widget=forms.NumberInput(attrs={"class": "filters__tiny"}))
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def filters(self) -> ContractFilters:
        v = self.valid_values()
        return ContractFilters(status=v.get("status", ""), product=v["product"].pk if "product" in v else None,
                               party=v.get("party"), renewal_within=v.get("renewal_within"))


class TransactionFilterForm(_FilterForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput(attrs={"class": "filters__short"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput(attrs={"class": "filters__short"}))
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False,
                                 empty_label=_("All products"))
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *SalesChannel.choices],
                                required=False)
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> TransactionFilters:
        v = self.valid_values()
        return TransactionFilters(date_from=v.get("date_from"), date_to=v.get("date_to"),
                                  product=v["product"].pk if "product" in v else None,
                                  channel=v.get("channel", ""), party=v.get("party"))


# --- sales force automation ------------------------------------------------------------------------

PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100"), "localize": True}


def _users(queryset: QuerySet[Any]) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=_("Owner"), queryset=queryset, required=False, empty_label=_("All reps"))
    field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign]
    return field


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Qualification"), required=False, choices=[("", _("All"))] + LeadStatus.choices)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All"))] + LeadSource.choices)

    def filters(self) -> LeadFilters:
        if not self.is_valid():
            return LeadFilters()
        data = self.cleaned_data
        return LeadFilters(status=data["status"], source=data["source"], q=data["q"])


class LeadForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    source_detail = forms.CharField(label=_("Source detail"), max_length=200, required=False,
                                    help_text=_("Campaign, event, referrer or file the lead came from."))
    status = forms.ChoiceField(label=_("Qualification"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED])
    interest = forms.ModelChoiceField(label=_("Product of interest"), queryset=Product.objects.none(), required=False)
    estimated_amount = money_field(_("Estimated amount (€)"), required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    disqualified_reason = forms.CharField(label=_("Disqualification reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, products: QuerySet[Product], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interest"].queryset = products
        self.fields["version"].required = editing
        if not editing:
            del self.fields["version"], self.fields["disqualified_reason"]

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        return values


class LeadConvertForm(forms.Form):
    opportunity_name = forms.CharField(label=_("Opportunity title"), max_length=200, required=False)
    amount = money_field(_("Amount (€)"), required=False)
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DateInput())
    attach_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    allow_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PipelineFilterForm(forms.Form):
    owner = _users(User.objects.none())
    team = forms.ModelChoiceField(label=_("Team / agency"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("All teams"))
    date_from = forms.DateField(label=_("Closing from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())

    def __init__(self, *args: Any, owners: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users(owners)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data

    def filters(self) -> PipelineFilters:
        if not self.is_valid():
            return PipelineFilters()
        data = self.cleaned_data
        return PipelineFilters(owner=data["owner"].pk if data["owner"] else None,
                               team=data["team"].pk if data["team"] else None,
                               date_from=data["date_from"], date_to=data["date_to"])


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Title"), max_length=200)
    amount = money_field(_("Amount (€)"))
    expected_close = forms.DateField(label=_("Expected close"), widget=DateInput())
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100, required=False,
                                     help_text=_("Left empty, the stage's probability."))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_on = forms.DateField(label=_("Next step on"), required=False, widget=DateInput())
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, products: QuerySet[Product], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        if editing:
            self.fields["version"].required = True
            del self.fields["product"]
        else:
            del self.fields["version"]

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        product = values.pop("product", None)
        if values.get("probability") is None:
            values.pop("probability")
        if product is not None:
            values["products"] = [(product, 1)]
        return values


class MoveForm(forms.Form):
    """The board's drop: target stage and the card's version (a stale one is refused)."""

    stage = forms.ModelChoiceField(queryset=PipelineStage.objects.filter(is_active=True))
    version = forms.IntegerField(min_value=0)
    lost_reason = forms.ModelChoiceField(queryset=LostReason.objects.filter(is_active=True), required=False,
                                         label=_("Lost reason"))
    lost_note = forms.CharField(max_length=300, required=False, label=_("Note"))


class QuoteForm(forms.Form):
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    notes = forms.CharField(label=_("Notes printed on the quote"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class QuoteLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)
    unit_price = money_field(_("Unit price excl. VAT (€)"), required=False,
                             help_text=_("Left empty, the catalogue price."))
    discount_rate = forms.DecimalField(label=_("Discount (%)"), initial=Decimal("0"), **PERCENT)
    vat_rate = forms.DecimalField(label=_("VAT (%)"), initial=Decimal("20"), **PERCENT)

    def __init__(self, *args: Any, products: QuerySet[Product] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=0, min_num=1, validate_min=True, max_num=100,
                                         validate_max=True, can_delete=True)


class QuoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + QuoteStatus.choices)

    def filters(self) -> QuoteFilters:
        if not self.is_valid():
            return QuoteFilters()
        return QuoteFilters(status=self.cleaned_data["status"], q=self.cleaned_data["q"])


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    team = forms.ModelChoiceField(label=_("Team / agency"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("All teams"))


class WebLeadForm(forms.Form):
    """The public contact form; `website` is a honeypot hidden from people, `started_at` the display time."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    message = forms.CharField(label=_("Your request"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(label=_("I agree to be contacted about offers suited to my request."), required=False)
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))
    started_at = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0, max_value=1e11)
    source_detail = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class StageForm(forms.Form):
    """One stage of the pipeline settings page (a prefix per row keeps the rows apart)."""
    name = forms.CharField(label=_("Name"), max_length=80)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=StageOutcome.choices)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class LostReasonForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=120)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
