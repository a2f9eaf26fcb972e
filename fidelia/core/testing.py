"""Named personas for tests: every access test tries the outsider."""
from __future__ import annotations

from dataclasses import dataclass

from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team, User

PASSWORD = "Fidelia-Test-2026!"


@dataclass
class Personas:
    lyon: Team
    paris: Team
    admin: User
    dpo: User
    manager: User      # sales manager of Lyon
    alice: User        # sales rep, Lyon
    bob: User          # sales rep, Lyon (a colleague of Alice)
    outsider: User     # sales rep, Paris
    marketing: User
    service: User
    analyst: User

    def by_role(self) -> dict[str, User]:
        return {"admin": self.admin, "dpo": self.dpo, "manager": self.manager, "alice": self.alice,
                "bob": self.bob, "outsider": self.outsider, "marketing": self.marketing,
                "service": self.service, "analyst": self.analyst}


def make_personas() -> Personas:
    lyon = Team.objects.create(name="Agence Lyon Part-Dieu", city="Lyon")
    paris = Team.objects.create(name="Agence Paris Opéra", city="Paris")

    def user(username: str, role: Role, team: Team | None, first: str, last: str) -> User:
        return User.objects.create_user(username, email=f"{username}@fidelia.test", password=PASSWORD,
                                        role=role, team=team, first_name=first, last_name=last)

    return Personas(
        lyon=lyon, paris=paris,
        admin=user("admin", Role.ADMIN, None, "Anne", "Admin"),
        dpo=user("dpo", Role.DPO, None, "Denis", "Protection"),
        manager=user("manager", Role.SALES_MANAGER, lyon, "Marc", "Manager"),
        alice=user("alice", Role.SALES_REP, lyon, "Alice", "Martin"),
        bob=user("bob", Role.SALES_REP, lyon, "Bob", "Bernard"),
        outsider=user("outsider", Role.SALES_REP, paris, "Olivier", "Dehors"),
        marketing=user("marketing", Role.MARKETING, None, "Mélanie", "Marketing"),
        service=user("service", Role.SERVICE_AGENT, None, "Sophie", "Service"),
        analyst=user("analyst", Role.ANALYST, None, "Arthur", "Analyste"),
    )
