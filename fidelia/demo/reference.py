"""Reference data the generator draws from: real French places, the catalogue, staff, French texts.

Plain constants, no Django: the generator turns them into NumPy pools once per run.
"""

from __future__ import annotations

# (postcode, city, weight ~ population in thousands). Paris is split by arrondissement so the
# postcodes stay real; smaller towns come from Faker on top of this list.
CITIES: tuple[tuple[str, str, int], ...] = (
    *((f"750{n:02d}", "Paris", 105) for n in range(1, 21)),
    *((f"6900{n}", "Lyon", 57) for n in range(1, 10)),
    *((f"130{n:02d}", "Marseille", 54) for n in range(1, 17)),
    ("31000", "Toulouse", 250),
    ("31500", "Toulouse", 130),
    ("31400", "Toulouse", 120),
    ("06000", "Nice", 200),
    ("06100", "Nice", 140),
    ("44000", "Nantes", 200),
    ("44300", "Nantes", 120),
    ("67000", "Strasbourg", 200),
    ("67100", "Strasbourg", 90),
    ("34000", "Montpellier", 300),
    ("33000", "Bordeaux", 210),
    ("33800", "Bordeaux", 50),
    ("59000", "Lille", 235),
    ("35000", "Rennes", 220),
    ("51100", "Reims", 180),
    ("76600", "Le Havre", 170),
    ("42000", "Saint-Étienne", 170),
    ("83000", "Toulon", 170),
    ("38000", "Grenoble", 160),
    ("21000", "Dijon", 160),
    ("49000", "Angers", 155),
    ("30000", "Nîmes", 150),
    ("69100", "Villeurbanne", 150),
    ("63000", "Clermont-Ferrand", 147),
    ("72000", "Le Mans", 145),
    ("13090", "Aix-en-Provence", 145),
    ("29200", "Brest", 140),
    ("37000", "Tours", 136),
    ("80000", "Amiens", 134),
    ("87000", "Limoges", 131),
    ("74000", "Annecy", 130),
    ("66000", "Perpignan", 120),
    ("57000", "Metz", 118),
    ("25000", "Besançon", 117),
    ("45000", "Orléans", 116),
    ("76000", "Rouen", 112),
    ("68100", "Mulhouse", 108),
    ("14000", "Caen", 106),
    ("54000", "Nancy", 104),
    ("95100", "Argenteuil", 110),
    ("93100", "Montreuil", 110),
    ("59100", "Roubaix", 98),
    ("59200", "Tourcoing", 98),
    ("84000", "Avignon", 91),
    ("86000", "Poitiers", 89),
    ("64000", "Pau", 76),
    ("17000", "La Rochelle", 77),
    ("56000", "Vannes", 54),
    ("29000", "Quimper", 63),
    ("64100", "Bayonne", 52),
    ("73000", "Chambéry", 60),
    ("26000", "Valence", 64),
    ("68000", "Colmar", 68),
    ("10000", "Troyes", 61),
    ("56100", "Lorient", 57),
    ("79000", "Niort", 59),
    ("49300", "Cholet", 54),
    ("20000", "Ajaccio", 72),
    ("92100", "Boulogne-Billancourt", 121),
    ("92000", "Nanterre", 96),
    ("94000", "Créteil", 92),
    ("78000", "Versailles", 85),
    ("92200", "Neuilly-sur-Seine", 60),
    ("97400", "Saint-Denis", 150),
    ("62000", "Arras", 42),
    ("71100", "Chalon-sur-Saône", 45),
    ("18000", "Bourges", 64),
    ("01000", "Bourg-en-Bresse", 41),
    ("02100", "Saint-Quentin", 53),
    ("35400", "Saint-Malo", 47),
)

# Smaller towns (real postcodes), weighted as a group like the big cities' suburbs.
TOWNS: tuple[tuple[str, str, int], ...] = tuple(
    (p, c, 12)
    for p, c in (
        ("01200", "Bellegarde-sur-Valserine"),
        ("03100", "Montluçon"),
        ("04000", "Digne-les-Bains"),
        ("05000", "Gap"),
        ("07200", "Aubenas"),
        ("08000", "Charleville-Mézières"),
        ("09000", "Foix"),
        ("11000", "Carcassonne"),
        ("12000", "Rodez"),
        ("15000", "Aurillac"),
        ("16000", "Angoulême"),
        ("19100", "Brive-la-Gaillarde"),
        ("22000", "Saint-Brieuc"),
        ("23000", "Guéret"),
        ("24000", "Périgueux"),
        ("27000", "Évreux"),
        ("28000", "Chartres"),
        ("32000", "Auch"),
        ("36000", "Châteauroux"),
        ("39000", "Lons-le-Saunier"),
        ("40000", "Mont-de-Marsan"),
        ("41000", "Blois"),
        ("43000", "Le Puy-en-Velay"),
        ("46000", "Cahors"),
        ("47000", "Agen"),
        ("48000", "Mende"),
        ("50100", "Cherbourg-en-Cotentin"),
        ("52000", "Chaumont"),
        ("53000", "Laval"),
        ("55100", "Verdun"),
        ("58000", "Nevers"),
        ("60000", "Beauvais"),
        ("61000", "Alençon"),
        ("65000", "Tarbes"),
        ("70000", "Vesoul"),
        ("77000", "Melun"),
        ("81000", "Albi"),
        ("82000", "Montauban"),
        ("85000", "La Roche-sur-Yon"),
        ("88000", "Épinal"),
        ("89000", "Auxerre"),
        ("90000", "Belfort"),
        ("91000", "Évry-Courcouronnes"),
        ("95000", "Cergy"),
        ("33500", "Libourne"),
        ("44600", "Saint-Nazaire"),
        ("17100", "Saintes"),
        ("29600", "Morlaix"),
        ("35300", "Fougères"),
        ("38200", "Vienne"),
        ("26200", "Montélimar"),
        ("84300", "Cavaillon"),
        ("83300", "Draguignan"),
        ("06400", "Cannes"),
        ("06600", "Antibes"),
        ("34500", "Béziers"),
        ("30100", "Alès"),
        ("13200", "Arles"),
        ("64200", "Biarritz"),
        ("74200", "Thonon-les-Bains"),
        ("73100", "Aix-les-Bains"),
        ("57100", "Thionville"),
        ("59300", "Valenciennes"),
        ("59140", "Dunkerque"),
        ("62100", "Calais"),
        ("62200", "Boulogne-sur-Mer"),
        ("76200", "Dieppe"),
        ("14100", "Lisieux"),
        ("50000", "Saint-Lô"),
        ("72200", "La Flèche"),
        ("37400", "Amboise"),
    )
)

EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 34),
    ("orange.fr", 18),
    ("hotmail.fr", 10),
    ("free.fr", 8),
    ("yahoo.fr", 6),
    ("laposte.net", 6),
    ("sfr.fr", 5),
    ("outlook.fr", 5),
    ("wanadoo.fr", 4),
    ("icloud.com", 3),
    ("bbox.fr", 1),
)

# INSEE PCS level 1 codes with shares of the adult population.
CSP_SHARES: tuple[tuple[str, float], ...] = (
    ("1", 0.01),
    ("2", 0.07),
    ("3", 0.20),
    ("4", 0.24),
    ("5", 0.25),
    ("6", 0.13),
    ("8", 0.10),
)
INCOME_BRACKETS = ("lt20", "20_35", "35_50", "50_80", "80_120", "gt120")
# Income bracket probabilities per CSP (rows follow CSP codes 1..8, retired = 7).
INCOME_BY_CSP: dict[str, tuple[float, ...]] = {
    "1": (0.30, 0.35, 0.20, 0.10, 0.04, 0.01),
    "2": (0.15, 0.25, 0.25, 0.20, 0.10, 0.05),
    "3": (0.02, 0.10, 0.25, 0.35, 0.18, 0.10),
    "4": (0.08, 0.35, 0.35, 0.17, 0.04, 0.01),
    "5": (0.25, 0.45, 0.22, 0.07, 0.01, 0.00),
    "6": (0.30, 0.45, 0.20, 0.05, 0.00, 0.00),
    "7": (0.20, 0.35, 0.25, 0.13, 0.05, 0.02),
    "8": (0.60, 0.25, 0.10, 0.04, 0.01, 0.00),
}

JOB_TITLES = (
    "Directeur général",
    "Directrice administrative et financière",
    "Responsable des achats",
    "Chef comptable",
    "Gérant",
    "Gérante",
    "Responsable RH",
    "Directeur commercial",
    "Assistante de direction",
    "Responsable informatique",
    "Office manager",
    "Président",
)

SECTORS = (
    "4711D Supermarchés",
    "4120A Construction de maisons individuelles",
    "6201Z Programmation informatique",
    "5610A Restauration traditionnelle",
    "4520A Entretien et réparation de véhicules",
    "6920Z Activités comptables",
    "8621Z Activité des médecins généralistes",
    "4399C Travaux de maçonnerie générale",
    "4778C Autres commerces de détail spécialisés",
    "7022Z Conseil pour les affaires et autres conseils de gestion",
    "0111Z Culture de céréales",
    "1071C Boulangerie et boulangerie-pâtisserie",
    "4941A Transports routiers de fret interurbains",
    "6831Z Agences immobilières",
    "5510Z Hôtels et hébergement similaire",
    "8559A Formation continue d’adultes",
)
LEGAL_FORMS = ("SAS", "SARL", "SA", "SASU", "EURL", "SCI", "")

TEAMS: tuple[tuple[str, str, str], ...] = (
    ("Agence Paris Opéra", "Paris", "agency"),
    ("Agence Lyon Part-Dieu", "Lyon", "agency"),
    ("Agence Marseille Vieux-Port", "Marseille", "agency"),
    ("Agence Bordeaux Chartrons", "Bordeaux", "agency"),
    ("Agence Lille Grand-Place", "Lille", "agency"),
    ("Agence Nantes Graslin", "Nantes", "agency"),
    ("Agence Toulouse Capitole", "Toulouse", "agency"),
    ("Agence Strasbourg Kléber", "Strasbourg", "agency"),
    ("Centre de relation client", "Lyon", "team"),
)
REPS_PER_AGENCY = 5

# One login per role, printed by `fidelia demo`: (username, role, first name, last name, team index).
DEMO_LOGINS: tuple[tuple[str, str, str, str, int | None], ...] = (
    ("admin", "admin", "Claire", "Rousseau", None),
    ("dpo", "dpo", "Henri", "Lemaire", None),
    ("responsable", "sales_manager", "Nathalie", "Fournier", 1),
    ("commercial", "sales_rep", "Julien", "Moreau", 1),
    ("marketing", "marketing", "Camille", "Girard", None),
    ("service", "service_agent", "Sarah", "Benali", 8),
    ("analyste", "analyst", "Thomas", "Lambert", None),
)

# Catalogue: family -> (code, name, strategic?, price €, margin rate, held as a contract?, contract term years)
CATALOGUE: dict[str, tuple[tuple[str, str, bool, str, str, bool, int], ...]] = {
    "Comptes": (
        ("CPT-COU", "Compte courant", True, "2.50", "0.8000", True, 0),
        ("CPT-JNT", "Compte joint", True, "3.00", "0.8000", True, 0),
        ("CPT-PRO", "Compte professionnel", True, "15.00", "0.7500", True, 0),
        ("CPT-FRS", "Frais de tenue de compte", False, "2.00", "0.9500", False, 0),
    ),
    "Épargne": (
        ("EPA-LVA", "Livret A", False, "0.00", "0.0500", True, 0),
        ("EPA-LDD", "LDDS", False, "0.00", "0.0500", True, 0),
        ("EPA-PEL", "Plan épargne logement", True, "0.00", "0.1200", True, 0),
        ("EPA-AVI", "Assurance-vie multisupport", True, "0.00", "0.1800", True, 0),
        ("EPA-PEA", "Plan d’épargne en actions", True, "0.00", "0.1500", True, 0),
        ("EPA-VER", "Versement programmé", False, "50.00", "0.0300", False, 0),
    ),
    "Crédits": (
        ("CRE-IMM", "Prêt immobilier", True, "0.00", "0.2200", True, 20),
        ("CRE-AUT", "Prêt auto", True, "0.00", "0.3000", True, 5),
        ("CRE-ETU", "Prêt étudiant", True, "0.00", "0.2000", True, 7),
        ("CRE-TRV", "Prêt travaux", False, "0.00", "0.2800", True, 6),
        ("CRE-REN", "Crédit renouvelable", False, "0.00", "0.3500", True, 3),
    ),
    "Assurances": (
        ("ASS-HAB", "Assurance habitation", True, "22.00", "0.3500", True, 1),
        ("ASS-AUT", "Assurance auto", True, "45.00", "0.3000", True, 1),
        ("ASS-SAN", "Complémentaire santé", True, "60.00", "0.2500", True, 1),
        ("ASS-PRE", "Prévoyance", True, "30.00", "0.4000", True, 1),
        ("ASS-GAV", "Garantie des accidents de la vie", False, "12.00", "0.4500", True, 1),
    ),
    "Cartes": (
        ("CAR-CLA", "Carte Visa Classic", False, "45.00", "0.6000", True, 3),
        ("CAR-PRE", "Carte Visa Premier", True, "135.00", "0.6500", True, 3),
        ("CAR-GLD", "Mastercard Gold", True, "130.00", "0.6500", True, 3),
        ("CAR-BUS", "Carte Business", True, "90.00", "0.6000", True, 3),
    ),
    "Services": (
        ("SRV-BEL", "Banque en ligne premium", False, "4.90", "0.9000", False, 0),
        ("SRV-COF", "Location de coffre-fort", False, "85.00", "0.7000", False, 0),
        ("SRV-CON", "Conseil patrimonial", True, "250.00", "0.7500", False, 0),
        ("SRV-CHQ", "Chéquier", False, "0.00", "0.5000", False, 0),
    ),
}
FAMILY_DESCRIPTIONS = {
    "Comptes": "Comptes de dépôt des particuliers et des professionnels",
    "Épargne": "Livrets réglementés, épargne logement et placements",
    "Crédits": "Crédits immobiliers, à la consommation et aux études",
    "Assurances": "Assurances de biens et de personnes",
    "Cartes": "Cartes de paiement",
    "Services": "Services bancaires au quotidien",
}

VEHICLES = (
    "Renault Clio",
    "Peugeot 208",
    "Citroën C3",
    "Dacia Sandero",
    "Peugeot 3008",
    "Renault Captur",
    "Toyota Yaris",
    "Volkswagen Golf",
    "Renault Mégane",
    "Peugeot 308",
    "Tesla Model 3",
    "Citroën C4",
    "Dacia Duster",
    "Fiat 500",
    "Renault Zoé",
)

# Interaction subjects per channel family, and meeting-report templates ({product}, {member}).
SUBJECTS = (
    "Rendez-vous bilan annuel",
    "Demande de simulation de prêt immobilier",
    "Renouvellement assurance auto",
    "Ouverture d’un livret pour l’enfant",
    "Réclamation sur des frais bancaires",
    "Changement d’adresse",
    "Question sur un prélèvement",
    "Proposition d’assurance-vie",
    "Relance suite à la campagne épargne",
    "Opposition carte bancaire",
    "Demande d’augmentation du plafond de carte",
    "Projet d’achat de véhicule",
    "Prêt étudiant pour la rentrée",
    "Information sur le PEL",
    "Mise à jour des pièces justificatives",
    "Résiliation d’un contrat",
    "Prise de rendez-vous en agence",
    "Réponse à l’enquête de satisfaction",
    "Conseil patrimonial",
    "Déclaration de sinistre habitation",
)
REPORTS = (
    "Client reçu en agence pour le bilan annuel. Situation stable, épargne de précaution suffisante. "
    "Intéressé par {product} ; proposition à envoyer par e-mail.",
    "Entretien téléphonique. Le client souhaite financer un projet. Simulation de {product} réalisée, "
    "rappel prévu sous quinze jours avec les justificatifs.",
    "Rendez-vous avec le couple. {member} entre dans l’enseignement supérieur à la rentrée : "
    "présentation du prêt étudiant et de la carte jeune.",
    "Réclamation sur des frais prélevés à tort. Geste commercial accordé, frais remboursés. "
    "Client satisfait de la rapidité de traitement.",
    "Point sur les contrats d’assurance. Le client compare avec une offre concurrente sur {product} ; "
    "devis à revoir avant l’échéance.",
    "Appel de courtoisie après l’ouverture du compte. Aucune difficulté signalée. Inscription à la "
    "banque en ligne faite pendant l’appel.",
    "Le client annonce un déménagement. Mise à jour de l’adresse, proposition d’assurance habitation "
    "pour le nouveau logement.",
    "Entretien patrimonial : répartition de l’épargne revue, versement programmé sur {product} proposé.",
    "Client mécontent du délai de réponse à sa dernière demande. Excuses présentées, dossier escaladé "
    "au responsable d’agence.",
    "Naissance attendue dans le foyer : point sur la prévoyance et ouverture d’un livret pour l’enfant.",
)
CONSENT_WORDING = (
    "J’accepte de recevoir les offres commerciales de Fidelia par le canal choisi. "
    "Je peux retirer mon consentement à tout moment."
)
