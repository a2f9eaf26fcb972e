"""The built-in rules from the course, seeded by migration 0003 (editable and deactivable afterwards).

Kept in one place so the migration, the demo and the tests agree. Rule data is French: it is the
customers' and the advisers' language, and rule texts are data, not interface strings.
"""
from __future__ import annotations

from typing import Any

BUILTIN_RULES: list[dict[str, Any]] = [
    {"key": "naissance-attendue", "name": "Naissance attendue : épargne et prévoyance",
     "description": "Une naissance est attendue dans les 120 jours : proposer une épargne pour l'enfant "
                    "et une assurance prévoyance.",
     "condition": {"all": [{"fact": "parties.event.expected_birth", "operator": "within_next_days", "value": 120}]},
     "kind": "offer", "title_template": "Naissance attendue : proposer épargne et prévoyance à {name}",
     "priority": 4, "due_days": 14, "action_valid_days": 60, "period": "once"},
    {"key": "anniversaire-enfant", "name": "Anniversaire d'un enfant",
     "description": "Un enfant du foyer fête son anniversaire dans les 14 jours : un appel de courtoisie, "
                    "l'occasion de parler de son épargne.",
     "condition": {"all": [{"fact": "parties.child_birth_date", "operator": "anniversary_within_days", "value": 14}]},
     "kind": "call", "title_template": "Anniversaire d'un enfant de {name} : appel de courtoisie",
     "priority": 2, "due_days": 14, "action_valid_days": 21, "period": "year"},
    {"key": "etudes-superieures", "name": "Entrée dans l'enseignement supérieur : prêt étudiant",
     "description": "Un enfant du foyer a 18 ans dans les 90 jours : proposer un prêt étudiant.",
     "condition": {"all": [{"fact": "parties.child_birth_date", "operator": "turns_age_within_days",
                            "value": [18, 90]}]},
     "kind": "offer", "title_template": "Études supérieures d'un enfant : proposer un prêt étudiant à {name}",
     "priority": 4, "due_days": 30, "action_valid_days": 120, "period": "once"},
    {"key": "vehicule-ancien", "name": "Véhicule de plus de 11 ans : crédit auto",
     "description": "Le dernier véhicule acheté a plus de 11 ans (l'âge moyen du parc français) : "
                    "proposer un crédit automobile.",
     "condition": {"all": [{"fact": "parties.vehicle_purchase", "operator": "more_than_years_ago", "value": 11}]},
     "kind": "offer", "title_template": "Véhicule ancien : proposer un crédit auto à {name}",
     "priority": 3, "due_days": 30, "action_valid_days": 90, "period": "year"},
    {"key": "renouvellement-contrat", "name": "Renouvellement de contrat dans les 60 jours",
     "description": "Un contrat actif arrive à sa date de renouvellement dans les 60 jours : faire le point.",
     "condition": {"all": [{"fact": "sales.contract_renewal", "operator": "within_next_days", "value": 60}]},
     "kind": "call", "title_template": "Renouvellement de contrat : faire le point avec {name}",
     "priority": 4, "due_days": 14, "action_valid_days": 60, "period": "year"},
    {"key": "client-a-sans-contact", "name": "Client de valeur sans contact depuis 6 mois",
     "description": "Client de classe A (les 10 % qui font l'essentiel du chiffre d'affaires) sans aucun "
                    "contact depuis 180 jours.",
     "condition": {"all": [{"fact": "analytics.abc_class", "operator": "eq", "value": "A"},
                           {"any": [{"fact": "parties.last_contact", "operator": "more_than_days_ago", "value": 180},
                                    {"fact": "parties.last_contact", "operator": "is_empty"}]}]},
     "kind": "call", "title_template": "Client de valeur sans contact : appeler {name}",
     "priority": 3, "due_days": 14, "action_valid_days": 45, "period": "quarter"},
    {"key": "relance-campagne", "name": "Appel de relance après une campagne",
     "description": "Proposée par les campagnes marketing elles-mêmes (action_propose avec source "
                    "« campaign ») pour chaque destinataire à rappeler ; cette règle ne tourne pas seule.",
     "condition": {}, "automatic": False,
     "kind": "call", "title_template": "Relance de campagne : appeler {name}",
     "priority": 3, "due_days": 7, "action_valid_days": 30, "period": "once"},
]
