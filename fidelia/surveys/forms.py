from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.surveys.enums import QuestionKind, SurveyKind, SurveyLanguage
from fidelia.surveys.services import QuestionInput

QUESTIONS_HELP = _("Custom surveys: one question per line, “type | question | choice 1; choice 2”. Types: "
                   "rating (1–5), nps (0–10), single, multiple, text. Leave empty for CSAT and NPS.")


class SurveyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=SurveyLanguage.choices,
                                 help_text=_("The answer page and the e-mail are in this language."))
    title = forms.CharField(label=_("Title shown to the customer"), max_length=200, required=False)
    intro = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                            required=False)
    questions = forms.CharField(label=_("Questions"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                max_length=20_000, help_text=QUESTIONS_HELP)
    valid_days = forms.IntegerField(label=_("Days a link stays valid"), min_value=1, max_value=365, initial=30)

    def clean_questions(self) -> list[QuestionInput]:
        out = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or parts[0] not in QuestionKind.values:
                raise forms.ValidationError(_("Line %(n)s: write “type | question”, type one of %(types)s.")
                                            % {"n": number, "types": ", ".join(QuestionKind.values)})
            choices = [c.strip() for c in parts[2].split(";")] if len(parts) > 2 else []
            out.append(QuestionInput(kind=parts[0], text=parts[1], choices=choices, required=parts[0] != "text"))
        return out


class SendForm(forms.Form):
    parties = forms.CharField(label=_("Customer numbers"), required=False, max_length=20_000,
                              help_text=_("Numbers of the customer files, separated by commas or spaces."))
    segment = forms.IntegerField(label=_("Or a segment"), required=False, min_value=1)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=60)

    def clean_parties(self) -> list[int]:
        raw = self.cleaned_data["parties"].replace(",", " ").replace(";", " ").split()
        if any(not token.isdigit() or len(token) > 12 for token in raw):
            raise forms.ValidationError(_("Write customer numbers only, separated by commas or spaces."))
        if len(raw) > 5000:
            raise forms.ValidationError(_("At most 5,000 customers at once; use a segment for more."))
        return [int(t) for t in raw]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("parties") and not data.get("segment") and not self.errors:
            raise forms.ValidationError(_("Give customer numbers or a segment."))
        return data
