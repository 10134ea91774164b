"""French wording of the demo corpus: names, subjects and bodies with ``str.format`` fields."""

# CONVOCATIONS are (sender, subject, body), CIRCULAIRES (sender, audience, subject, body).
# Fields every template may use: {eleve} {prenom_eleve} {classe} {jour} {heure} {salle}
# {niveau}, {prenom} (the reader's first name) and, agreeing with the child, {il} {Il} {le} {e}.
# Signatures are added by mail/demo_corpus.py.

LYCEE_CLASSES = (
    "2nde 1", "2nde 2", "2nde 3", "2nde 4", "2nde 5", "2nde 6",
    "1re G1", "1re G2", "1re G3", "1re STMG", "Tle G1", "Tle G2", "Tle G3", "Tle STMG",
)  # fmt: skip
PROF_CLASSES = ("2nde 3", "2nde 5", "1re G2", "Tle G1")
ROOMS = ("B104", "B112", "B204", "C011", "C102", "CDI", "salle polyvalente", "A201")
LEVELS = ("seconde", "première", "terminale")

FAMILY_NAMES = (
    "Durand", "Petit", "Garnier", "Chevalier", "Bertrand", "Faure", "Blanc", "Guérin", "Boyer",
    "Roussel", "Clément", "Gomez", "Da Silva", "Ferrer", "Lacroix", "Bénard", "Ségur", "Mallet",
    "Roques", "Cabanis", "Hamidi", "Traoré", "Nguyen-Van", "Lemaître", "Castéra", "Vergnes",
)  # fmt: skip
# (first name, "f" or "m"): the texts agree with the child ("absente", "il"); no name starts
# with a vowel sound, so "de {prenom_eleve}" never needs an elision.
CHILD_NAMES = (
    ("Léa", "f"), ("Jules", "m"), ("Chloé", "f"), ("Nathan", "m"), ("Sarah", "f"),
    ("Lucas", "m"), ("Manon", "f"), ("Théo", "m"), ("Jade", "f"), ("Louis", "m"),
    ("Margaux", "f"), ("Gabriel", "m"), ("Zoé", "f"), ("Maël", "m"), ("Lina", "f"),
    ("Raphaël", "m"), ("Camélia", "f"), ("Noé", "m"), ("Célia", "f"), ("Mathis", "m"),
)  # fmt: skip
PARENT_NAMES = (
    "Sophie", "Olivier", "Stéphanie", "Frédéric", "Karine", "Sébastien", "Séverine", "David",
    "Nadia", "Mehdi", "Agnès", "Jérôme", "Fatima", "Benoît",
)  # fmt: skip
MAIL_PROVIDERS = ("example.org", "example.net", "example.com")

CONVOCATIONS = (
    ("direction", "Convocation au conseil de classe de {classe}",
     "Madame, Monsieur,\n\nVous êtes convoqué(e) au conseil de classe du premier trimestre de la "
     "{classe}, qui se tiendra le {jour} à {heure}, en salle {salle}.\n\nMerci de saisir vos "
     "moyennes et vos appréciations au plus tard 48 heures avant le conseil. Les délégués des "
     "élèves et des parents y participeront.\n\nEn cas d'empêchement, prévenez le secrétariat de "
     "direction dès que possible."),
    ("direction", "Réunion parents-professeurs des classes de {niveau}",
     "Madame, Monsieur,\n\nLa rencontre parents-professeurs des classes de {niveau} aura lieu le "
     "{jour}, de {heure} à 20 h, dans les salles habituelles du bâtiment B.\n\nLes familles "
     "prennent rendez-vous par l'ENT ; vous recevrez votre planning la veille. Prévoyez dix "
     "minutes par famille et signalez-nous les élèves dont la situation vous inquiète."),
    ("direction", "Conseil pédagogique du {jour}",
     "Bonjour à toutes et à tous,\n\nLe conseil pédagogique se réunira le {jour} à {heure} en "
     "salle {salle}.\n\nOrdre du jour :\n1. Bilan des évaluations de début d'année en seconde ;"
     "\n2. Organisation des épreuves communes ;\n3. Projets de sorties du second trimestre ;\n"
     "4. Questions diverses.\n\nLes coordonnateurs de discipline sont attendus."),
    ("direction", "Convocation au conseil d'administration du {jour}",
     "Madame, Monsieur,\n\nJ'ai l'honneur de vous convoquer à la séance du conseil "
     "d'administration qui se tiendra le {jour} à {heure}, en salle {salle}.\n\nVous trouverez "
     "l'ordre du jour en pièce jointe. Les documents préparatoires sont consultables au "
     "secrétariat de direction.\n\nSi vous ne pouvez pas siéger, merci de prévenir votre "
     "suppléant(e)."),
    ("equipe", "Réunion de l'équipe de sciences",
     "Bonjour à tous,\n\nJe vous propose de nous retrouver le {jour} à {heure} en {salle} pour "
     "caler le projet commun maths-physique de seconde et la répartition des groupes de "
     "soutien.\n\nPensez à apporter vos progressions, même approximatives."),
    ("cpe", "Commission éducative – situation de {eleve} ({classe})",
     "Madame, Monsieur,\n\nUne commission éducative se réunira le {jour} à {heure} au sujet de "
     "{eleve}, élève de {classe}. Votre présence, en tant que membre de l'équipe pédagogique, "
     "est souhaitée.\n\nMerci de me faire parvenir d'ici là vos observations écrites sur "
     "l'attitude et le travail de l'élève."),
    ("formation", "Formation : « Évaluer par compétences en mathématiques »",
     "Madame, Monsieur,\n\nVotre inscription au module du plan académique de formation a été "
     "retenue. La première journée aura lieu le {jour} de 9 h à 16 h 30 au lycée Saint-Sernin, "
     "à Toulouse.\n\nVotre ordre de mission est disponible dans l'application de gestion des "
     "déplacements. Le remplacement de vos cours n'est pas assuré."),
)  # fmt: skip

CIRCULAIRES = (
    ("dec", "tous", "Calendrier des épreuves du baccalauréat – session 2027",
     "Mesdames et Messieurs les chefs d'établissement,\n\nVous trouverez ci-joint le calendrier "
     "prévisionnel des épreuves de la session 2027. Les épreuves de spécialité se tiendront en "
     "juin ; les convocations des correcteurs seront envoyées à partir du mois d'avril.\n\nJe "
     "vous remercie de bien vouloir diffuser cette information à l'ensemble des équipes."),
    ("dsden", "tous", "Protocole de mise en sûreté : exercice à réaliser avant les vacances",
     "Mesdames et Messieurs,\n\nChaque établissement doit conduire un exercice de mise en sûreté "
     "avant le {jour}. Le compte rendu est à saisir dans l'application dédiée dans les huit "
     "jours qui suivent l'exercice.\n\nLes équipes mobiles de sécurité restent à votre "
     "disposition pour préparer le scénario."),
    ("formation", "tous", "Plan académique de formation : ouverture des inscriptions",
     "Mesdames et Messieurs,\n\nLes inscriptions individuelles au plan académique de formation "
     "sont ouvertes jusqu'au {jour}. Plus de quatre cents modules sont proposés, dont une "
     "centaine à distance.\n\nL'avis du chef d'établissement sera recueilli en ligne."),
    ("rectorat", "tous", "Rendez-vous de carrière : calendrier de la campagne 2026-2027",
     "Mesdames et Messieurs,\n\nLes personnels concernés par un rendez-vous de carrière cette "
     "année ont été informés individuellement. Les inspections se dérouleront entre novembre et "
     "mai. Le compte rendu est communiqué à l'agent, qui peut formuler des observations dans un "
     "délai de trois semaines."),
    ("rectorat", "tous", "Mobilité 2027 : ouverture du serveur pour le mouvement inter-académique",
     "Mesdames et Messieurs,\n\nLe serveur de saisie des vœux sera ouvert du {jour} au 10 "
     "décembre à midi. Un service d'aide est joignable par téléphone et par courriel pendant "
     "toute la période.\n\nLa note de service complète est jointe à ce message."),
    ("dsi", "tous+support", "Vigilance : messages frauduleux visant les messageries académiques",
     "Mesdames et Messieurs,\n\nDes messages imitant la page de connexion de la messagerie "
     "circulent depuis plusieurs jours. Ils annoncent une boîte pleine ou un compte bloqué et "
     "demandent de saisir son identifiant et son mot de passe.\n\nL'académie ne vous demandera "
     "jamais votre mot de passe par courriel. En cas de doute, ne cliquez pas et transmettez le "
     "message à l'assistance informatique de votre établissement."),
    ("dsden", "tous", "Semaine de prévention du harcèlement : ressources pour les équipes",
     "Mesdames et Messieurs,\n\nÀ l'occasion de la journée nationale de lutte contre le "
     "harcèlement, des ressources pédagogiques sont mises à disposition des équipes : vidéos, "
     "fiches d'activités et questionnaire à proposer aux élèves.\n\nLes référents de "
     "circonscription et d'établissement peuvent accompagner vos actions."),
    ("rectorat", "tous", "Frais de déplacement : nouvelle procédure de remboursement",
     "Mesdames et Messieurs,\n\nÀ compter du {jour}, les demandes de remboursement des frais de "
     "déplacement se font exclusivement dans l'application en ligne. Les formulaires papier ne "
     "seront plus traités.\n\nUn tutoriel est joint à ce message."),
    ("dsden", "direction", "Enquête de rentrée : effectifs à transmettre avant le {jour}",
     "Madame la Proviseure,\n\nJe vous remercie de bien vouloir vérifier et valider les effectifs "
     "de votre établissement dans la base élèves avant le {jour}. Ces données servent à préparer "
     "la dotation horaire de la rentrée prochaine.\n\nLe service statistique se tient à votre "
     "disposition pour toute question."),
    ("dsden", "direction", "Bourses de lycée : seconde campagne",
     "Mesdames et Messieurs,\n\nLa seconde campagne de bourses de lycée est ouverte jusqu'au "
     "{jour}. Elle concerne les familles dont la situation a changé depuis la rentrée.\n\nMerci "
     "de relayer l'information aux familles par l'ENT et de centraliser les dossiers au "
     "secrétariat."),
    ("dsden", "tous+support", "Vigilance météo orange : consignes aux établissements",
     "Mesdames et Messieurs,\n\nMétéo-France a placé la Haute-Garonne en vigilance orange pour "
     "des orages et de fortes pluies à partir de demain après-midi. Les établissements restent "
     "ouverts ; les transports scolaires pourraient être perturbés.\n\nMerci de prévoir "
     "l'accueil des élèves qui ne pourraient pas rentrer chez eux à l'heure habituelle."),
    ("dsi", "tous+support", "Journée académique du numérique éducatif",
     "Mesdames et Messieurs,\n\nLa journée académique du numérique éducatif aura lieu le {jour} "
     "à Toulouse. Ateliers, démonstrations et retours d'expérience d'enseignants sont au "
     "programme.\n\nL'inscription est gratuite mais obligatoire."),
)  # fmt: skip

NOTES_DE_SERVICE = (
    ("Exercice d'évacuation incendie – {jour}",
     "Bonjour à toutes et à tous,\n\nUn exercice d'évacuation incendie aura lieu le {jour} dans "
     "la matinée, sans autre préavis. Vérifiez que les consignes sont affichées dans vos salles "
     "et que vous savez où se trouve le point de rassemblement de votre bâtiment.\n\nPensez à "
     "emporter la liste d'appel de la classe."),
    ("Photos de classe le {jour}",
     "Bonjour,\n\nLe photographe sera présent le {jour}. Le planning de passage par classe est "
     "joint ; les élèves seront appelés par la vie scolaire. Merci de libérer vos élèves dix "
     "minutes avant l'horaire indiqué."),
    ("Modification de l'emploi du temps à compter du {jour}",
     "Bonjour,\n\nÀ la suite de l'arrivée d'une collègue contractuelle en physique-chimie, "
     "l'emploi du temps de plusieurs classes est modifié à compter du {jour}. Les changements "
     "sont visibles dans l'ENT. Merci de vérifier votre propre emploi du temps et de signaler "
     "toute erreur au proviseur adjoint."),
    ("Remise des bulletins du premier trimestre",
     "Bonjour,\n\nLes bulletins du premier trimestre seront remis aux familles le {jour} à partir "
     "de {heure}. Chaque professeur principal reçoit les familles de sa classe en salle "
     "{salle}.\n\nLes bulletins imprimés seront dans vos casiers la veille."),
    ("Travaux dans le bâtiment C",
     "Bonjour,\n\nDes travaux d'étanchéité auront lieu sur le toit du bâtiment C à partir du "
     "{jour}, pendant environ deux semaines. Les salles C101 à C108 seront inaccessibles ; les "
     "cours concernés sont déplacés dans le bâtiment B.\n\nMerci de votre compréhension."),
    ("Journée portes ouvertes : appel aux volontaires",
     "Bonjour à tous,\n\nLa journée portes ouvertes aura lieu le samedi suivant les vacances. "
     "Nous cherchons des volontaires pour présenter les enseignements de spécialité et les "
     "options. Un tableau d'inscription est affiché en salle des professeurs."),
    ("Salle des professeurs : photocopieur hors service",
     "Bonjour,\n\nLe photocopieur de la salle des professeurs est en panne depuis ce matin. Le "
     "technicien passera le {jour}. En attendant, vous pouvez utiliser celui du CDI avec votre "
     "code habituel."),
    ("Rappel : saisie des absences à chaque heure de cours",
     "Bonjour,\n\nL'appel doit être fait dans le logiciel de vie scolaire dans les dix premières "
     "minutes de chaque cours. Cela permet de prévenir les familles dans la matinée.\n\nMerci "
     "à toutes et à tous pour votre vigilance."),
    ("Épreuves communes de {niveau} : organisation",
     "Bonjour,\n\nLes épreuves communes de {niveau} se tiendront la semaine du {jour}. Le "
     "planning des surveillances est joint. Les sujets sont à déposer au secrétariat, sous "
     "enveloppe, au plus tard une semaine avant."),
    ("Accès au parking pendant les travaux",
     "Bonjour,\n\nPendant les travaux de voirie, l'entrée du parking du personnel se fait par la "
     "rue des Écoles. Le portail s'ouvre avec le même badge."),
)  # fmt: skip

FAMILLES_PROF = (
    ("Demande de rendez-vous – {eleve} ({classe})",
     "Bonjour Madame Martin,\n\nNous souhaiterions vous rencontrer au sujet des résultats de "
     "{prenom_eleve} en mathématiques, qui nous inquiètent un peu depuis la rentrée. Seriez-vous "
     "disponible en fin de journée la semaine prochaine ?\n\nBien cordialement,"),
    ("{prenom_eleve} – difficultés en mathématiques",
     "Madame,\n\n{prenom_eleve} nous dit avoir du mal à suivre le chapitre sur les fonctions. "
     "Pourriez-vous nous indiquer des exercices ou des ressources pour l'aider à la maison ?"
     "\n\nMerci d'avance,"),
    ("Devoir maison de {prenom_eleve}",
     "Bonjour Madame,\n\n{prenom_eleve} était malade toute la semaine et n'a pas pu rendre son "
     "devoir maison. Serait-il possible qu'il soit rendu lundi ?\n\nAvec nos remerciements,"),
    ("Absence de {prenom_eleve} au contrôle du {jour}",
     "Madame,\n\n{prenom_eleve} sera absent{e} le {jour} pour un rendez-vous médical prévu de "
     "longue date. Nous avons prévenu la vie scolaire. Pourra-t-{il} rattraper le contrôle ?"
     "\n\nCordialement,"),
    ("Question sur la calculatrice",
     "Bonjour,\n\nQuelle calculatrice faut-il acheter pour la suite du lycée ? Le modèle de "
     "{prenom_eleve} date du collège et nous ne savons pas s'il convient.\n\nMerci,"),
    ("Orientation de {prenom_eleve} : choix des spécialités",
     "Madame Martin,\n\n{prenom_eleve} hésite entre les spécialités mathématiques et SES pour "
     "l'année prochaine. En tant que professeure principale, auriez-vous un conseil à nous "
     "donner ?\n\nBien à vous,"),
    ("Remerciements",
     "Bonjour Madame,\n\nNous tenions à vous remercier pour le temps que vous avez consacré à "
     "{prenom_eleve} lors de l'accompagnement personnalisé. Ses notes remontent et {il} "
     "reprend confiance.\n\nTrès cordialement,"),
    ("Note du dernier devoir",
     "Bonjour,\n\n{prenom_eleve} ne comprend pas la note de son dernier devoir, notamment "
     "l'exercice 3. Serait-il possible d'avoir quelques explications ?\n\nCordialement,"),
    ("Stage de {prenom_eleve}",
     "Madame,\n\n{prenom_eleve} a trouvé un stage d'observation dans une entreprise de Blagnac "
     "pour la semaine du {jour}. Vous trouverez la convention signée en pièce jointe.\n\nBien "
     "cordialement,"),
)  # fmt: skip

FAMILLES_VIE_SCOLAIRE = (
    ("Absence de {eleve} ({classe})",
     "Bonjour,\n\nNous vous informons que notre enfant {eleve}, en {classe}, sera absent{e} "
     "aujourd'hui pour raison de santé. Un certificat médical suivra.\n\nCordialement,"),
    ("Absence de {prenom_eleve} le {jour}",
     "Bonjour,\n\n{prenom_eleve} ({classe}) a un rendez-vous chez l'orthodontiste le {jour} à "
     "14 h ; {il} quittera le lycée à 13 h 30. Merci de bien vouloir l'autoriser.\n\n"
     "Bien cordialement,"),
    ("Justificatif d'absence – {eleve}",
     "Bonjour,\n\nVeuillez trouver ci-joint le justificatif de l'absence de {eleve} ({classe}) "
     "de lundi et mardi.\n\nMerci,"),
    ("Retard de {prenom_eleve} ce matin",
     "Bonjour,\n\nLe bus de la ligne 30 est arrivé avec plus de vingt minutes de retard, "
     "{prenom_eleve} n'a pas pu être à l'heure en cours. Merci de ne pas {le} sanctionner."
     "\n\nCordialement,"),
    ("Demande de rendez-vous avec la CPE",
     "Madame,\n\nNous souhaiterions vous rencontrer au sujet de {eleve} ({classe}). Il semble "
     "qu'il y ait des tensions avec des camarades depuis quelques semaines et nous préférerions "
     "en parler de vive voix.\n\nMerci de nous proposer un créneau,"),
    ("Carnet de correspondance perdu",
     "Bonjour,\n\n{prenom_eleve} a perdu son carnet de correspondance. Comment pouvons-nous en "
     "obtenir un nouveau ?\n\nMerci d'avance,"),
    ("Sortie anticipée – {eleve}",
     "Bonjour,\n\nJ'autorise mon enfant {eleve} ({classe}) à quitter l'établissement à 15 h le "
     "{jour} en raison de l'absence de son professeur d'espagnol.\n\nCordialement,"),
    ("Dispense d'EPS pour {prenom_eleve}",
     "Bonjour,\n\n{prenom_eleve} s'est foulé la cheville samedi. Vous trouverez en pièce jointe "
     "le certificat médical de dispense d'EPS pour trois semaines.\n\nBonne journée,"),
    ("Absence pour raisons familiales",
     "Bonjour,\n\n{eleve} sera absent{e} du {jour} inclus jusqu'à la fin de la semaine pour "
     "raisons familiales (obsèques). Nous vous remercions de votre compréhension.\n\n"
     "Cordialement,"),
    ("Inscription à la demi-pension",
     "Bonjour,\n\nNous souhaitons inscrire {prenom_eleve} ({classe}) à la demi-pension à partir "
     "du mois prochain, quatre jours par semaine. Quelles sont les démarches ?\n\nMerci,"),
    ("Grève des transports",
     "Bonjour,\n\nEn raison du mouvement de grève annoncé pour le {jour}, {prenom_eleve} ne "
     "pourra pas venir au lycée ce jour-là, faute de transport.\n\nCordialement,"),
)  # fmt: skip

FAMILLES_SECRETARIAT = (
    ("Demande de certificat de scolarité",
     "Bonjour,\n\nPourriez-vous m'adresser un certificat de scolarité pour {eleve}, en "
     "{classe} ? Il nous est demandé par la caisse d'allocations familiales.\n\nMerci beaucoup,"),
    ("Changement d'adresse",
     "Bonjour,\n\nNous avons déménagé le mois dernier. Voici notre nouvelle adresse : 14 rue "
     "des Acacias, 31700 Blagnac. Merci de mettre à jour le dossier de {eleve} ({classe})."
     "\n\nCordialement,"),
    ("Demande de rendez-vous avec Madame la Proviseure",
     "Madame,\n\nNous souhaiterions obtenir un rendez-vous avec Madame la Proviseure au sujet de "
     "la scolarité de {eleve}. Nous sommes disponibles les mardis et jeudis après-midi."
     "\n\nBien à vous,"),
    ("Duplicata de bulletin",
     "Bonjour,\n\nNous avons égaré le bulletin du troisième trimestre de l'an dernier de "
     "{prenom_eleve}. Serait-il possible d'en obtenir une copie ?\n\nMerci,"),
    ("Dossier de bourse de {prenom_eleve}",
     "Bonjour,\n\nVous trouverez ci-joint l'avis d'imposition manquant pour le dossier de bourse "
     "de {eleve} ({classe}).\n\nCordialement,"),
    ("Inscription en cours d'année",
     "Madame, Monsieur,\n\nNous arrivons de Bordeaux et souhaitons inscrire notre fils en "
     "seconde. Quels documents faut-il fournir ?\n\nMerci de votre aide,"),
)  # fmt: skip
