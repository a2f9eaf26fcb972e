from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.knowledge.enums import ArticleKind, ArticleLanguage, ArticleStatus, Audience
from fidelia.knowledge.models import ArticleCategory


class ArticleForm(forms.Form):
    """The editor's form; the service validates again (the API and CLI share it)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}), max_length=50_000,
                           help_text=_("Plain text; blank lines separate paragraphs."))
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguage.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=ArticleCategory.objects.all(), required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices,
                                 help_text=_("Public articles are readable by anyone, without signing in."))
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("All languages")), *ArticleLanguage.choices])
    category = forms.ModelChoiceField(label=_("Category"), queryset=ArticleCategory.objects.all(), required=False,
                                      empty_label=_("All categories"))
