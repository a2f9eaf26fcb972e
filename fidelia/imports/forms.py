"""Forms of the import wizard."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.imports.enums import BatchMode, DuplicatePolicy
from fidelia.imports.readers import MAX_FILE_BYTES
from fidelia.imports.targets import TARGETS, ensure_registered

ENCODINGS = [("", _("Detect")), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252 (Excel)"), ("latin-1", "ISO-8859-1"),
             ("utf-16", "UTF-16"), ("mac_roman", "Mac Roman")]
DELIMITERS = [("", _("Detect")), (";", _("semicolon ;")), (",", _("comma ,")), ("\t", _("tab")), ("|", _("pipe |")),
              ("whitespace", _("spaces"))]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("At most %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    target = forms.ChoiceField(label=_("Kind of data"))
    template = forms.ChoiceField(label=_("Mapping template"), required=False)
    source = forms.CharField(label=_("Source system"), required=False, max_length=60,
                             help_text=_("Where the file comes from (e.g. hubspot). Ids are matched within a source."))
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITERS, required=False)

    def __init__(self, *args: Any, templates: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        ensure_registered()
        self.fields["target"].choices = [(t.name, t.label) for t in TARGETS.values()]
        self.fields["template"].choices = [("", _("None: suggest from the columns")), *[(n, n) for n, _d in templates]]


class OptionsForm(forms.Form):
    source = forms.CharField(label=_("Source system"), max_length=60)
    batch_mode = forms.ChoiceField(label=_("On error"), choices=BatchMode.choices)
    batch_size = forms.IntegerField(label=_("Batch size"), min_value=1, max_value=5000)
    duplicates = forms.ChoiceField(label=_("Possible duplicates"), choices=DuplicatePolicy.choices)
    save_as = forms.CharField(label=_("Save this mapping as"), required=False, max_length=80)
