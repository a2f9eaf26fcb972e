"""Demo articles of a bank-insurer's knowledge base: about forty answers, product sheets and
procedures, mostly in French, some in English, public or internal, with realistic use counts."""
from __future__ import annotations

import datetime as dt
import random

from fidelia.accounts.models import User
from fidelia.knowledge.models import Article
from fidelia.knowledge.services import article_create, category_get_or_create

SEED = 5050

# (category, kind, language, audience, title, body)
ARTICLES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Comptes", "procedure", "fr", "public", "Ouvrir un compte courant",
     "Pour ouvrir un compte courant, munissez-vous d’une pièce d’identité en cours de validité, d’un justificatif "
     "de domicile de moins de trois mois et d’un justificatif de revenus.\n\nL’ouverture peut se faire en agence ou "
     "en ligne. Le RIB est disponible immédiatement, la carte est envoyée sous 7 jours ouvrés."),
    ("Comptes", "question", "fr", "public", "Comment obtenir mon RIB ?",
     "Votre RIB est disponible dans l’application, rubrique Comptes > Détails du compte > RIB. Vous pouvez le "
     "télécharger en PDF ou le partager par e-mail. En agence, votre conseiller peut l’imprimer."),
    ("Comptes", "question", "fr", "public", "Changer d’adresse postale",
     "Modifiez votre adresse dans l’espace client, rubrique Profil. Un justificatif de domicile peut être demandé. "
     "Pensez à mettre à jour votre contrat habitation si vous déménagez."),
    ("Comptes", "procedure", "fr", "internal", "Clôturer un compte à la demande du client",
     "Vérifier l’absence d’opérations en cours (prélèvements, chèques non débités). Faire signer la demande de "
     "clôture. Solder le compte par virement vers le compte indiqué. Archiver la demande dans la GED.\n\n"
     "Proposer un entretien de fidélisation avant toute clôture : la cause est souvent une réclamation non traitée."),
    ("Comptes", "question", "fr", "public", "Mobilité bancaire : changer de banque facilement",
     "Le service de mobilité bancaire transfère vos prélèvements et virements récurrents. Signez le mandat de "
     "mobilité : nous nous occupons du reste sous 22 jours ouvrés."),
    ("Cartes", "procedure", "fr", "public", "Faire opposition sur une carte bancaire",
     "En cas de perte ou de vol, faites opposition immédiatement depuis l’application (Cartes > Faire opposition) "
     "ou par téléphone au serveur interbancaire, 24 h/24. Une nouvelle carte est envoyée sous 5 jours."),
    ("Cartes", "procedure", "fr", "public", "Contester un paiement par carte",
     "Si vous ne reconnaissez pas un paiement, contestez-le dans les 13 mois suivant le débit : application, "
     "rubrique Cartes > Contester une opération. Joignez tout justificatif utile. En cas de fraude, faites "
     "d’abord opposition. Le remboursement intervient sous un jour ouvré pour une opération non autorisée."),
    ("Cartes", "question", "fr", "public", "Augmenter temporairement le plafond de ma carte",
     "Vous pouvez relever votre plafond de paiement ou de retrait pour 30 jours depuis l’application. Au-delà, "
     "contactez votre conseiller."),
    ("Cartes", "question", "fr", "internal", "Carte avalée par un distributeur",
     "Si le distributeur appartient à notre réseau, la carte est restituée en agence sous 48 h. Sinon, faire "
     "opposition et commander une nouvelle carte sans frais (geste commercial autorisé)."),
    ("Cartes", "product_sheet", "fr", "public", "Carte Visa Premier",
     "Plafond de paiement 8 000 € sur 30 jours, retraits 1 500 € par semaine, assurances voyage et location de "
     "véhicule incluses. Cotisation annuelle 134 €."),
    ("Crédits", "product_sheet", "fr", "public", "Prêt immobilier à taux fixe",
     "Financez l’achat de votre résidence principale ou secondaire sur 7 à 25 ans. Taux fixe, mensualités "
     "constantes, modulation possible à la hausse ou à la baisse de 30 % une fois par an."),
    ("Crédits", "procedure", "fr", "internal", "Instruire une demande de prêt immobilier",
     "Collecter : trois derniers bulletins de salaire, deux derniers avis d’imposition, relevés de compte des "
     "trois derniers mois, compromis de vente. Calculer le taux d’endettement (35 % maximum assurance comprise). "
     "Transmettre au service crédits avec l’avis du conseiller."),
    ("Crédits", "question", "fr", "public", "Remboursement anticipé d’un crédit",
     "Vous pouvez rembourser tout ou partie de votre crédit à tout moment. Des indemnités peuvent s’appliquer "
     "(au plus 6 mois d’intérêts et 3 % du capital restant dû pour un prêt immobilier)."),
    ("Crédits", "product_sheet", "fr", "public", "Prêt personnel auto",
     "De 3 000 € à 75 000 € sur 12 à 84 mois pour un véhicule neuf ou d’occasion. Réponse de principe immédiate, "
     "fonds débloqués sous 8 jours après signature."),
    ("Épargne", "product_sheet", "fr", "public", "Livret A",
     "Épargne disponible à tout moment, plafond 22 950 €, intérêts exonérés d’impôt et de prélèvements sociaux. "
     "Un seul Livret A par personne."),
    ("Épargne", "product_sheet", "fr", "public", "Assurance vie multisupport",
     "Fonds en euros et unités de compte, versements libres dès 50 €. Fiscalité avantageuse après 8 ans. "
     "Les unités de compte présentent un risque de perte en capital."),
    ("Épargne", "question", "fr", "public", "Faire un virement vers mon Livret A",
     "Depuis l’application : Virements > Nouveau virement, choisissez votre Livret A comme compte bénéficiaire. "
     "Le virement interne est immédiat."),
    ("Épargne", "procedure", "fr", "internal", "Ouvrir un PEA pour un client",
     "Vérifier la résidence fiscale française et l’absence d’un autre PEA. Remettre le document d’informations "
     "clés et recueillir le profil investisseur (questionnaire MIF 2) avant toute souscription."),
    ("Assurance habitation", "procedure", "fr", "public", "Déclarer un sinistre habitation",
     "Déclarez votre sinistre dans les 5 jours ouvrés (2 jours en cas de vol) depuis l’espace client ou par "
     "téléphone. Joignez photos, factures et, en cas de vol, le dépôt de plainte. Un expert peut être mandaté "
     "au-delà de 1 600 € de dommages."),
    ("Assurance habitation", "question", "fr", "public", "Dégât des eaux : que faire ?",
     "Coupez l’arrivée d’eau, prévenez votre voisin ou syndic, remplissez le constat amiable dégât des eaux et "
     "déclarez le sinistre sous 5 jours ouvrés."),
    ("Assurance habitation", "product_sheet", "fr", "public", "Assurance multirisque habitation",
     "Couvre incendie, dégât des eaux, vol, bris de glace et responsabilité civile. Option objets de valeur et "
     "assistance dépannage 24 h/24."),
    ("Assurance habitation", "procedure", "fr", "internal", "Traiter une réclamation sur un refus d’indemnisation",
     "Relire les conditions générales et le rapport d’expertise. Si le refus est fondé, l’expliquer par écrit "
     "en citant la clause. Sinon, escalader au service sinistres sous 48 h. Rappeler le client dans tous les cas : "
     "une réclamation mal traitée annonce souvent un départ."),
    ("Assurance auto", "procedure", "fr", "public", "Déclarer un accident de voiture",
     "Remplissez le constat amiable avec l’autre conducteur et envoyez-le sous 5 jours ouvrés. En cas de "
     "bris de glace seul, prenez rendez-vous directement chez un réparateur agréé."),
    ("Assurance auto", "question", "fr", "public", "Résilier mon assurance auto",
     "Après un an d’engagement, vous pouvez résilier à tout moment. Le nouvel assureur peut s’en charger pour vous."),
    ("Prévoyance", "product_sheet", "fr", "public", "Garantie obsèques",
     "Un capital de 2 000 € à 15 000 € versé au bénéficiaire de votre choix pour financer les obsèques. "
     "Adhésion de 50 à 85 ans sans questionnaire médical."),
    ("Réclamations", "procedure", "fr", "internal", "Traiter une réclamation client",
     "Accuser réception sous 48 h ouvrées. Qualifier la réclamation (catégorie, produit). Répondre sous 10 jours "
     "ouvrés, 2 mois au maximum. Proposer la médiation si la réponse ne satisfait pas le client. "
     "Enregistrer chaque échange dans le dossier client."),
    ("Réclamations", "question", "fr", "public", "Comment déposer une réclamation ?",
     "Écrivez-nous depuis l’espace client (Messagerie > Nouvelle réclamation), par courrier ou en agence. Nous "
     "accusons réception sous 48 h et répondons sous 10 jours ouvrés."),
    ("Réclamations", "procedure", "fr", "internal", "Erreur de facturation : rembourser des frais",
     "Vérifier les frais facturés sur les relevés. Si l’erreur est avérée, rembourser par écriture de "
     "régularisation et prévenir le client. Au-delà de 150 €, validation du directeur d’agence."),
    ("Réclamations", "question", "fr", "public", "Saisir le médiateur",
     "Si notre réponse ne vous satisfait pas ou en l’absence de réponse sous 2 mois, vous pouvez saisir "
     "gratuitement le médiateur, en ligne ou par courrier."),
    ("Sécurité", "question", "fr", "public", "Reconnaître un e-mail d’hameçonnage",
     "Nous ne vous demanderons jamais vos codes par e-mail, SMS ou téléphone. Ne cliquez pas sur les liens "
     "suspects et signalez-les à notre service sécurité."),
    ("Sécurité", "procedure", "fr", "internal", "Client victime d’une fraude au faux conseiller",
     "Faire opposition sur les moyens de paiement, bloquer l’accès en ligne, recenser les opérations contestées "
     "et orienter le client vers un dépôt de plainte. Ouvrir une réclamation de catégorie fraude."),
    ("Succession", "procedure", "fr", "internal", "Ouvrir un dossier de succession",
     "Demander l’acte de décès et les coordonnées du notaire. Bloquer les comptes individuels, maintenir le "
     "compte joint sauf opposition. Transmettre les avoirs au notaire sur demande."),
    ("Comptes", "procedure", "en", "public", "Opening a current account",
     "Bring a valid ID, proof of address less than three months old and proof of income. You can open your "
     "account online or in a branch; your card arrives within 7 working days."),
    ("Cartes", "procedure", "en", "public", "Disputing a card payment",
     "If you do not recognise a card payment, dispute it within 13 months in the app under Cards > Dispute a "
     "transaction. For fraud, block the card first. Unauthorised payments are refunded within one working day."),
    ("Cartes", "procedure", "en", "public", "Blocking a lost or stolen card",
     "Block your card in the app (Cards > Block) or by phone, 24/7. A new card is sent within 5 days."),
    ("Assurance habitation", "procedure", "en", "public", "Making a home insurance claim",
     "Declare the damage within 5 working days (2 days for theft) online or by phone, with photos, invoices and, "
     "for theft, the police report. An expert may visit for damage above €1,600."),
    ("Comptes", "question", "en", "public", "How do I get my bank details (RIB)?",
     "Your bank details are in the app under Accounts > Account details > RIB, ready to download or share."),
    ("Réclamations", "question", "en", "public", "How to make a complaint",
     "Write to us from your customer area (Messages > New complaint), by post or in a branch. We acknowledge "
     "within 2 working days and answer within 10."),
    ("Crédits", "question", "en", "public", "Repaying a loan early",
     "You may repay all or part of your loan at any time; early repayment fees may apply."),
    ("Épargne", "product_sheet", "en", "internal", "Life insurance for non-residents",
     "Check the customer's tax residence. Non-residents may keep an existing contract but new subscriptions "
     "need the compliance team's approval."),
)


def seed_demo(*, today: dt.date) -> None:
    """Create the demo articles (published, with use counts skewed towards the everyday questions)."""
    rng = random.Random(SEED)
    author = User.objects.filter(username="service").first() or User.objects.filter(role="admin").first()
    if author is None or Article.objects.exists():
        return
    categories = {name: category_get_or_create(name=name) for name in {row[0] for row in ARTICLES}}
    for category, kind, language, audience, title, body in ARTICLES:
        article = article_create(actor=author, title=title, body=body, kind=kind, language=language,
                                 category=categories[category], audience=audience, status="published")
        uses = int(rng.paretovariate(1.3) * 3) if language == "fr" else rng.randrange(0, 4)
        Article.objects.filter(pk=article.pk).update(usage_count=min(uses, 250))
