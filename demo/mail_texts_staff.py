"""French wording of the demo corpus between staff, and the scripts of its conversations."""

# Same fields as mail/demo_texts.py; signatures are added by mail/demo_corpus.py.

COLLEGUES_PROF = (
    ("Sortie au musée de l'Air et de l'Espace",
     "Bonjour {prenom},\n\nJe prépare la sortie des secondes à Aeroscopia pour le {jour}. "
     "Serais-tu d'accord pour accompagner le groupe de la 2nde 3 ? Il nous faut un adulte pour "
     "douze élèves.\n\nMerci !"),
    ("Échange de salle jeudi",
     "Salut {prenom},\n\nEst-ce que tu accepterais d'échanger ta salle {salle} avec la mienne "
     "jeudi en troisième heure ? J'ai besoin du vidéoprojecteur pour une présentation d'élèves."
     "\n\nBonne journée"),
    ("Sujet commun de seconde",
     "Bonjour {prenom},\n\nVoici ma proposition pour le sujet commun de seconde. J'ai repris "
     "l'exercice sur les statistiques dont nous avions parlé. N'hésite pas à modifier "
     "directement le document.\n\nÀ bientôt"),
    ("Projet interdisciplinaire maths-physique",
     "Bonjour {prenom},\n\nPour le projet sur la chute libre avec les 1re G2, je propose que les "
     "élèves fassent les mesures en physique la semaine du {jour}, puis le traitement des "
     "données en maths. Qu'en penses-tu ?"),
    ("Copies du devoir commun",
     "Salut {prenom},\n\nJ'ai récupéré les copies du devoir commun de {classe} ; elles sont dans "
     "ton casier. Le barème est agrafé sur le dessus.\n\nBon courage pour la correction !"),
    ("Réservation de la salle informatique",
     "Bonjour {prenom},\n\nJ'ai vu que tu avais réservé la salle informatique le {jour} en "
     "deuxième heure. Aurais-tu besoin des trente postes ou pourrait-on se la partager ?"),
    ("Covoiturage pour la formation",
     "Bonjour {prenom},\n\nNous sommes deux à aller à la formation du {jour} à Toulouse. Je "
     "peux passer te prendre à 8 h 15 devant le lycée si tu veux.\n\nDis-moi !"),
    ("Élève de {classe} en difficulté",
     "Bonjour {prenom},\n\nJe voulais te signaler que {eleve} semble très fatigué{e} en ce "
     "moment et ne rend plus aucun travail. Est-ce que tu observes la même chose en maths ? "
     "Il faudrait peut-être en parler à la CPE."),
    ("Pot de départ de Gaëlle",
     "Bonjour à tous,\n\nGaëlle part en retraite à la fin du mois. Nous organisons un pot le "
     "{jour} à 12 h 30 en salle des professeurs. Une cagnotte circule pour un cadeau commun."
     "\n\nVenez nombreux !"),
    ("Progression en terminale",
     "Bonjour {prenom},\n\nJe joins la progression que j'utilise en terminale spécialité. Tu "
     "verras que je fais les suites avant les limites de fonctions, cela fonctionne bien avec "
     "les élèves."),
    ("Remplacement de mercredi",
     "Bonjour {prenom},\n\nJe serai absent mercredi matin (jury d'examen). Pourrais-tu prendre "
     "mon groupe de {classe} en première heure ? Je laisse le travail au CDI.\n\nMerci mille "
     "fois"),
    ("Photos de la sortie",
     "Bonjour {prenom},\n\nVoici une photo de la sortie pour le journal du lycée. Les parents "
     "ont tous signé l'autorisation de droit à l'image."),
    ("Conseil de classe de {classe} : appréciations",
     "Bonjour {prenom},\n\nIl manque encore tes appréciations pour la {classe}. Peux-tu les "
     "saisir avant vendredi ? Le conseil a lieu lundi.\n\nMerci"),
    ("Manuels numériques",
     "Bonjour {prenom},\n\nLa région propose de basculer sur des manuels numériques à la "
     "rentrée prochaine. On en discute au prochain conseil d'enseignement ? J'aimerais avoir "
     "l'avis de toute l'équipe."),
    ("Olympiades de mathématiques",
     "Bonjour {prenom},\n\nLes inscriptions aux Olympiades sont ouvertes. As-tu des élèves de "
     "première qui seraient intéressés ? Je peux organiser deux séances de préparation le "
     "mercredi après-midi."),
)  # fmt: skip

VIE_SCOLAIRE_PROF = (
    ("Absence prolongée de {eleve} ({classe})",
     "Bonjour,\n\n{eleve} sera absent{e} jusqu'à la fin de la semaine pour raison médicale. La "
     "famille demande que les cours et les devoirs lui soient transmis par l'ENT.\n\nMerci"),
    ("Rapport d'incident à compléter – {classe}",
     "Bonjour,\n\nÀ la suite de l'exclusion de cours de {eleve} hier, pourriez-vous compléter "
     "le rapport d'incident dans le logiciel de vie scolaire ? La famille sera reçue le {jour}."),
    ("Retenue de {eleve}",
     "Bonjour,\n\nLa retenue que vous avez demandée pour {eleve} ({classe}) aura lieu mercredi "
     "de 13 h à 15 h. Merci de déposer le travail à faire à la vie scolaire."),
    ("Appel non saisi en {classe}",
     "Bonjour,\n\nL'appel de {classe} n'a pas été saisi ce matin en deuxième heure. Pouvez-vous "
     "le compléter dès que possible ? Sans lui, nous ne pouvons pas prévenir les familles."),
    ("Information : aménagement pour {eleve}",
     "Bonjour,\n\n{eleve} ({classe}) bénéficie désormais d'un plan d'accompagnement "
     "personnalisé : tiers-temps pour les évaluations et documents agrandis. Le détail est dans "
     "son dossier sur l'ENT."),
    ("Élèves convoqués à l'infirmerie",
     "Bonjour,\n\nLes élèves de {classe} passent le dépistage visuel le {jour}. Ils seront "
     "appelés par petits groupes pendant votre cours. Merci de les laisser sortir."),
)  # fmt: skip

PROFS_VIE_SCOLAIRE = (
    ("Incident en {classe}",
     "Bonjour,\n\nJe signale un incident en {classe} ce matin : {eleve} a refusé de ranger son "
     "téléphone et a quitté la salle sans autorisation. Je complète le rapport dans la "
     "journée."),
    ("Élève absent non signalé",
     "Bonjour,\n\n{eleve} ({classe}) était absent{e} en première heure mais présent{e} en "
     "récréation d'après ses camarades. Pouvez-vous vérifier ?"),
    ("Demande de retenue",
     "Bonjour,\n\nJe demande une retenue pour {eleve} ({classe}) : troisième oubli de travail "
     "cette semaine. Je déposerai des exercices."),
    ("Passage à l'infirmerie",
     "Bonjour,\n\nJ'ai envoyé {eleve} ({classe}) à l'infirmerie à 10 h 20, accompagné{e} du "
     "délégué. {Il} se plaignait de maux de tête."),
)  # fmt: skip

COLLEGUES_SECRETARIAT = (
    ("Ordre de mission pour la sortie du {jour}",
     "Bonjour {prenom},\n\nPourrais-tu préparer les ordres de mission des accompagnateurs pour "
     "la sortie du {jour} ? La liste est jointe.\n\nMerci beaucoup"),
    ("Demande d'autorisation d'absence",
     "Bonjour {prenom},\n\nJe dois m'absenter le {jour} pour un examen médical. Voici ma "
     "demande d'autorisation d'absence, merci de la transmettre à Madame la Proviseure."),
    ("Attestation employeur",
     "Bonjour {prenom},\n\nMa banque me demande une attestation employeur. Est-ce que tu peux "
     "m'en préparer une ? Je passerai la chercher vendredi."),
    ("Clés de la salle {salle}",
     "Bonjour {prenom},\n\nLa serrure de la salle {salle} est bloquée depuis ce matin. Peux-tu "
     "transmettre au service de maintenance ? Merci !"),
    ("Sujets pour les épreuves communes",
     "Bonjour {prenom},\n\nJe dépose les sujets de {classe} demain matin sous enveloppe. Il "
     "faudra 32 exemplaires recto verso.\n\nMerci"),
)  # fmt: skip

TICKETS_SUPPORT = (
    ("Mot de passe oublié",
     "Bonjour,\n\nJe n'arrive plus à me connecter à la messagerie depuis les vacances, je crois "
     "avoir oublié mon mot de passe. Pouvez-vous m'aider ?\n\nMerci"),
    ("Imprimante de la salle des professeurs",
     "Bonjour,\n\nL'imprimante de la salle des professeurs affiche « bourrage papier » alors "
     "qu'il n'y a rien dans le bac. Plusieurs collègues sont bloqués."),
    ("Vidéoprojecteur en {salle}",
     "Bonjour,\n\nLe vidéoprojecteur de la salle {salle} ne détecte plus l'ordinateur. J'ai "
     "essayé un autre câble, sans succès. Pourriez-vous passer ?"),
    ("Messagerie sur mon téléphone",
     "Bonjour,\n\nJe voudrais consulter ma messagerie académique sur mon téléphone. Quels "
     "paramètres faut-il saisir ? J'ai joint une capture de l'écran de configuration."),
    ("Message suspect",
     "Bonjour,\n\nJ'ai reçu un message qui me demande de « valider mon compte » sous 24 heures "
     "en cliquant sur un lien. Ça ressemble à de l'hameçonnage, je préfère vous le signaler."),
    ("Accès à l'ENT impossible",
     "Bonjour,\n\nDepuis ce matin, l'ENT m'indique « identifiant inconnu ». Mes élèves ne "
     "peuvent pas non plus accéder au cahier de textes."),
    ("Compte pour une remplaçante",
     "Bonjour,\n\nMadame Estève remplace Monsieur Vidal à partir du {jour}. Pouvez-vous lui créer "
     "un accès à la messagerie et à l'ENT ?\n\nMerci d'avance"),
    ("Tableau numérique de la salle {salle}",
     "Bonjour,\n\nLe stylet du tableau numérique de la salle {salle} ne répond plus. Il faudrait "
     "peut-être recalibrer l'écran."),
    ("Boîte de réception pleine ?",
     "Bonjour,\n\nJ'ai un message m'indiquant que ma boîte est presque pleine. Comment savoir ce "
     "qui prend de la place ?"),
    ("Ordinateur du CDI très lent",
     "Bonjour,\n\nLes postes du CDI mettent plusieurs minutes à démarrer et les élèves perdent "
     "une bonne partie de la séance. Une mise à jour est-elle en cours ?"),
)  # fmt: skip

SUPPORT_ANNONCES = (
    ("Maintenance du réseau le {jour}",
     "Bonjour à toutes et à tous,\n\nUne intervention sur le réseau de l'établissement aura lieu "
     "le {jour} de 12 h à 14 h. Internet et l'impression seront indisponibles pendant ce "
     "créneau.\n\nMerci de votre compréhension."),
    ("Rappel : votre mot de passe ne se partage pas",
     "Bonjour,\n\nPersonne, pas même l'assistance, ne vous demandera votre mot de passe. En cas "
     "de message suspect, transférez-le-moi sans cliquer sur les liens."),
    ("Nouveaux vidéoprojecteurs dans le bâtiment B",
     "Bonjour,\n\nLes salles B104 à B112 sont équipées de nouveaux vidéoprojecteurs. Une fiche "
     "d'utilisation est affichée à côté de chaque bureau. Je passerai dans les salles le {jour} "
     "pour répondre à vos questions."),
)  # fmt: skip

# Conversations: (subject, opening, answer, follow-up). The answer goes back to the opener.
FILS_COLLEGUES = (
    ("Réunion d'équipe", "Bonjour {prenom},\n\nOn pourrait se voir jeudi à 12 h 30 pour "
     "préparer le bac blanc ? Il faudrait aussi fixer la date de la correction commune.",
     "Jeudi 12 h 30, c'est bon pour moi. Je réserve la salle B204.",
     "Parfait, merci. J'apporte les sujets des années précédentes."),
    ("Voyage à Barcelone", "Bonjour {prenom},\n\nLe projet de voyage à Barcelone avance. "
     "Serais-tu partante pour être accompagnatrice ? Le départ serait au mois de mars.",
     "Avec plaisir ! Il me faudrait juste les dates exactes pour prévenir ma famille.",
     "Du 16 au 20 mars. Je t'envoie le programme dès que l'agence nous répond."),
    ("Groupes de soutien", "Salut {prenom},\n\nEst-ce qu'on garde les mêmes groupes de "
     "soutien après les vacances ? Certains élèves ont beaucoup progressé.",
     "Je propose de faire passer Nathan et Léa dans le groupe d'approfondissement.",
     "D'accord, je mets à jour la liste et je préviens la vie scolaire."),
    ("Question sur le logiciel de notes", "Bonjour {prenom},\n\nSais-tu comment on modifie le "
     "coefficient d'un devoir déjà saisi ? Je ne trouve pas l'option.",
     "Il faut passer par « Services », puis cliquer sur le devoir : le coefficient est en bas.",
     "Trouvé, merci beaucoup ! Tu me sauves la soirée."),
)  # fmt: skip

FILS_FAMILLES = (
    ("Rendez-vous pour {prenom_eleve}", "Bonjour,\n\nNous aimerions faire le point sur la "
     "scolarité de {prenom_eleve} ({classe}). Quand pourrions-nous vous rencontrer ?",
     "Bonjour,\n\nJe vous propose jeudi à 17 h 15, au lycée. Merci de me confirmer ce créneau.",
     "Bonjour,\n\nJeudi 17 h 15 nous convient très bien. Merci et à jeudi."),
    ("Absences répétées de {prenom_eleve}", "Bonjour,\n\nNous avons reçu plusieurs SMS "
     "d'absence pour {prenom_eleve} alors qu'{il} nous assure être allé{e} en cours.",
     "Bonjour,\n\nLes absences ont été relevées en deuxième heure le lundi et le jeudi. Je vous "
     "propose d'en parler avec {prenom_eleve} et de revenir vers nous.",
     "Bonjour,\n\nMerci pour ces précisions. Nous en avons discuté à la maison, cela ne se "
     "reproduira pas."),
    ("Objet perdu", "Bonjour,\n\n{prenom_eleve} a oublié sa veste bleue au gymnase mardi. "
     "Auriez-vous pu la retrouver ?",
     "Bonjour,\n\nUne veste bleue a été déposée à la vie scolaire. {prenom_eleve} peut passer "
     "la récupérer pendant la récréation.",
     "Merci beaucoup, la veste a été récupérée ce matin !"),
)  # fmt: skip

FILS_SUPPORT = (
    ("Impossible d'imprimer", "Bonjour,\n\nDepuis la mise à jour d'hier, mon ordinateur ne "
     "voit plus l'imprimante du bureau.",
     "Bonjour,\n\nJe viens de réinstaller le pilote à distance. Pouvez-vous réessayer ?",
     "Ça fonctionne de nouveau, merci pour la rapidité !"),
    ("Clé USB non reconnue", "Bonjour,\n\nL'ordinateur de la salle {salle} refuse ma clé USB.",
     "Bonjour,\n\nLes clés USB sont bloquées sur les postes élèves. Déposez vos fichiers dans "
     "votre espace de l'ENT, ils seront accessibles depuis toutes les salles.",
     "D'accord, merci pour l'explication. Je ferai comme ça."),
)  # fmt: skip
