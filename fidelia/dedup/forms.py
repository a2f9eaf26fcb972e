"""Forms of the review queue: which file survives and whose value each field keeps."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.dedup.models import DuplicateCandidate
from fidelia.dedup.selectors import ComparedField


class MergeForm(forms.Form):
    """`survivor` is "a" or "b"; one `keep_<field>` per compared field, "a" or "b" too (the
    surviving file's value by default). Only differing fields are offered a choice."""

    survivor = forms.ChoiceField(label=_("File kept"), choices=[("a", "A"), ("b", "B")], initial="a",
                                 widget=forms.RadioSelect)

    def __init__(self, *args: Any, pair: DuplicateCandidate, rows: list[ComparedField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        for row in rows:
            if row.differs:
                self.fields[f"keep_{row.name}"] = forms.ChoiceField(
                    label=row.label, choices=[("a", "A"), ("b", "B")], required=False, widget=forms.RadioSelect)

    def merge_arguments(self) -> dict[str, Any]:
        """`survivor`, `loser` and `choices` (field -> id of the party whose value survives)."""
        data = self.cleaned_data
        a, b = self.pair.party_a, self.pair.party_b
        survivor, loser = (a, b) if data["survivor"] == "a" else (b, a)
        choices = {name.removeprefix("keep_"): (a.pk if value == "a" else b.pk)
                   for name, value in data.items() if name.startswith("keep_") and value}
        return {"survivor": survivor, "loser": loser, "choices": choices}
