## The organizers' console

console-login-title = Connexion à la console
console-login-intro = Pour les équipes des organisateurs : votre e-mail et votre mot de passe.
console-password = Mot de passe
console-organizer = Organisateur
console-organizer-hint = L'identifiant de l'organisateur dans son adresse, par exemple attitudes-conseil.
console-login = Se connecter
console-logout = Se déconnecter
console-switch = Changer
console-cross-site = Ce formulaire n'a pas été envoyé depuis la console. Rouvrez la console et recommencez.
console-forged = Ce formulaire n'est plus valable (session terminée ou page d'une autre session). Rouvrez la console et recommencez.
console-dashboard = Tableau de bord
console-door-only = Votre rôle donne accès à l'accueil (le contrôle des billets) seulement.
console-no-edition = Aucune édition pour l'instant.
console-edition = Édition
console-show = Afficher
console-stops = Étapes de l'édition
console-stop = Étape
console-confirmed = Confirmés / places
console-waiting = En attente
console-cancelled = Annulés
console-checked-in = Présents
console-stop-draft = brouillon
console-stop-published = publiée
console-stop-cancelled = annulée
console-totals = Confirmés : { $confirmed } / { $capacity } places · en attente : { $waiting } · présents : { $checkedIn }
console-role-owner = propriétaire
console-role-admin = administrateur
console-role-staff = équipe
console-role-checkin = accueil
console-back = Tableau de bord
console-search = Rechercher (nom, e-mail, téléphone ou code)
console-export = Exporter la liste (CSV)
console-list = Inscriptions de l'étape
console-next = Page suivante
console-matching = { $count ->
    [0] Aucune inscription ne correspond.
    [one] Une inscription.
   *[other] { $count } inscriptions.
}
console-col-person = Participant
console-col-status = Statut
console-col-workshops = Ateliers
console-col-registered = Inscrit le
console-status-confirmed = confirmé
console-status-waitlisted = en attente (n° { $position })
console-status-cancelled = annulé
console-filter-all = Tous
console-filter-checked = Arrivés
console-filter-not-checked = Pas encore arrivés
console-new-stop = Nouvelle étape
console-new-stop-draft = L'étape est créée en brouillon : ajoutez ses ateliers, puis publiez-la.
console-create-stop = Créer l'étape
console-field-name = Nom de l'étape
console-field-region = Région
console-field-city = Ville
console-field-venue = Lieu
console-field-address = Adresse (facultatif)
console-field-directions = Accès (facultatif)
console-field-starts = Début (heure locale)
console-field-ends = Fin (heure locale)
console-field-capacity = Places
console-field-title = Titre
console-field-room = Salle (facultatif)
console-field-seats = Places (vide : ouvert à tous)
console-seats-hint = Avec un nombre de places, c'est un atelier sur inscription ; sans, une séance ouverte à tous.
console-sessions = Programme
console-no-session = Aucune séance pour l'instant.
console-add-session = Ajouter une séance
console-add = Ajouter
console-publish = Publier l'étape
console-unpublish = Repasser en brouillon
console-public-page = Voir la page publique
console-edit = Modifier
console-time-invalid = date et heure attendues (AAAA-MM-JJ HH:MM)
console-number-invalid = un nombre entier est attendu
console-per-day = Inscriptions par jour
console-per-day-summary = { $count ->
    [0] Aucune inscription
    [one] Une inscription
   *[other] { $count } inscriptions
} sur { $days ->
    [one] un jour
   *[other] { $days } jours
}
console-questions = Questions par thème
console-none-yet = Rien pour l'instant.
console-team = Équipe
console-col-role = Rôle
console-change = Changer
console-remove = Retirer
console-since = depuis le
console-add-member = Ajouter une personne
console-member-name = Nom (facultatif)
console-member-password = Mot de passe
console-member-password-hint = Pour une personne nouvelle sur la plateforme (10 caractères au moins, difficile à deviner) ; laissé vide pour quelqu'un qui a déjà un compte.
console-col-member = Membre
console-keys = Clés d'API
console-key-secret = Voici la clé. Copiez-la maintenant : elle ne sera plus jamais affichée.
console-key-name = Nom
console-key-scopes = Droits
console-key-scopes-hint = Une clé de partenaire a agenda:read, stats:read ou leads:read ; une clé de l'organisateur, des droits d'organisateur (jamais la gestion des clés ni de l'équipe).
console-key-active = active
console-key-expired = expirée
console-key-revoked = révoquée
console-key-revoke = Révoquer
console-key-new = Nouvelle clé
console-key-for = Pour
console-key-own = L'organisateur (son intégration)
console-key-expires = Expire le (facultatif)
console-key-create = Créer la clé
console-key-log = Journal d'accès (50 derniers appels)
console-key-when = Quand
console-key-operation = Opération
console-key-returned = Objets / contacts
console-audit = Journal des modifications
console-audit-object = Objet
console-audit-action = Action
console-audit-key = une clé d'API
console-audit-platform = la plateforme
console-audit-former = un ancien membre
console-audit-count = { $count ->
    [0] Aucune entrée.
    [one] Une entrée.
   *[other] { $count } entrées.
}
console-settings = Réglages
console-settings-saved = C'est enregistré : les pages de l'organisateur l'affichent.
console-accent = Couleur d'accent
console-accent-hint = Au format #rrggbb ; le texte blanc doit s'y lire (contraste WCAG AA de 4,5:1). Vide : la couleur par défaut.
console-remove-logo = Retirer le logo
console-origins = Sites qui peuvent intégrer vos pages
console-origins-hint = Une adresse https par ligne, par exemple https://www.exemple.ma (10 au plus).
console-save = Enregistrer
console-history = Inscriptions (toutes étapes et éditions)
console-cancel-for = Annuler cette inscription pour elle ou lui
console-consents = Consentements

## A stop's messages
console-messages = Messages
console-messages-by-channel = Messages de l'étape, par canal
console-channel = Canal
console-channel-email = E-mail
console-channel-sms = SMS
console-messages-waiting = À envoyer
console-messages-sent = Envoyés
console-messages-failed = En échec
console-messages-withdrawn = Retirés
console-sms-segments = Segments SMS
console-broadcast = Écrire aux inscrits
console-broadcast-hint = Chaque inscrit (confirmé ou en liste d'attente) reçoit le texte de sa langue, sinon celui de la langue de l'organisateur, par les canaux auxquels il a consenti. Rien ne part avant « Envoyer », après l'aperçu.
console-channels = Canaux
console-urgent = Urgent : envoyer les SMS même pendant les heures de silence
console-subject = Objet
console-body = Message
console-preview = Avant d'envoyer
console-preview-action = Voir l'aperçu
console-people = { $count ->
    [0] aucune personne
    [one] { $count } personne
   *[other] { $count } personnes
}
console-emails = { $count ->
    [one] { $count } e-mail
   *[other] { $count } e-mails
}
console-sms-count = { $count ->
    [one] { $count } SMS
   *[other] { $count } SMS
}
console-segments = { $count ->
    [one] { $count } segment SMS
   *[other] { $count } segments SMS
}
console-cost = coût estimé
console-no-price = Le prix d'un segment SMS n'est pas configuré (ESCALE_SMS_SEGMENT_PRICE) : le coût n'est pas estimé.
console-reads = lit le texte en
console-sms-length = { $segments ->
    [one] 1 segment
   *[other] { $segments } segments
} ({ $units } caractères)
console-send-to = { $count ->
    [one] Envoyer à { $count } personne
   *[other] Envoyer à { $count } personnes
}
console-broadcast-sent = { $count ->
    [0] Aucun message planifié : personne n'a consenti à ces canaux.
    [one] { $count } message planifié.
   *[other] { $count } messages planifiés.
}
console-broadcast-unreachable = { $count ->
    [one] { $count } personne n'a consenti à aucun des canaux choisis.
   *[other] { $count } personnes n'ont consenti à aucun des canaux choisis.
}
console-retried = { $count ->
    [one] { $count } message renvoyé.
   *[other] { $count } messages renvoyés.
}
console-failed = Messages en échec
console-failed-none = Aucun message en échec.
console-retry-pick = Renvoyer
console-when = Quand
console-message = Message
console-recipient = Destinataire
console-reason = Raison
console-attempts = { $count ->
    [one] { $count } tentative
   *[other] { $count } tentatives
}
console-retry = Renvoyer la sélection
console-message-confirmation = Confirmation
console-message-waitlisted = Liste d'attente
console-message-promotion = Place libérée
console-message-session_promotion = Place en atelier
console-message-cancellation = Annulation
console-message-reminder = Rappel
console-message-session_reminder = Rappel d'atelier
console-message-broadcast = Message aux inscrits
console-message-stop_changed = Changement de l'étape
console-message-stop_cancelled = Étape annulée

## Moving dates
console-reschedule = Déplacer l'étape
console-reschedule-hint = Les ateliers suivent l'étape et gardent leur place dans la journée ; les rappels sont replanifiés. Heures locales de l'étape.
console-now = Actuellement :
console-notify = Prévenir les inscrits (e-mail avec le calendrier à jour, SMS)
console-from = Avant :
console-to = Après :
console-told = { $count ->
    [0] Personne n'est inscrit : personne à prévenir
    [one] { $count } inscrit sera prévenu
   *[other] { $count } inscrits seront prévenus
}
console-not-told = Personne ne sera prévenu.
console-reschedule-confirm = Déplacer l'étape
console-clone = Préparer l'édition suivante
console-clone-hint = Copie les étapes, ateliers, intervenants et partenariats dans une nouvelle édition en brouillon, sans inscrits, les dates décalées en heure locale (364 jours gardent le jour de la semaine).
console-field-number = Numéro de l'édition
console-field-year = Année
console-field-shift = Décalage en jours
console-clone-empty = Cette édition n'a pas encore d'étape.
console-weekday-changes = autre jour de la semaine
console-clone-confirm = Créer l'édition
console-nearly-full = Ateliers presque complets
console-nearly-full-none = Aucun atelier n'a moins d'un cinquième de ses places libres.
console-messages-by-stop = Messages par étape
console-message-states = envoyés · en échec · à envoyer
console-before-confirm = À vérifier avant de confirmer

## Message templates
console-templates = Messages types
console-templates-hint = Le texte de chaque message, par canal et par langue. Modifiez celui de la plateforme, vérifiez l'aperçu dans les trois langues à partir d'un exemple, puis enregistrez : un texte qui ne s'afficherait pas est refusé avec la raison.
console-language = Langue
console-saved = Enregistré.
console-template-custom = Texte de l'organisateur
console-template-builtin = Texte de la plateforme
console-template-text = Texte de l'e-mail
console-template-html = Version HTML (facultative)
console-template-variables = Variables :
console-template-preview = Aperçu à partir d'un exemple
console-template-reset = Revenir au texte de la plateforme

## A stop's details
console-details = Détails de l'étape
console-details-staff = Les places et le lieu sont modifiés par un propriétaire ou un administrateur : ce que les inscrits ont reçu change.
console-notify-place = Prévenir les inscrits si le lieu, l'adresse ou la ville change

## Reminder policies
console-reminders = Rappels
console-reminders-hint = Chaque rappel part un délai avant l'étape (un par inscrit) ou avant chacun de ses ateliers (un par place), par les canaux choisis, à ceux qui y ont consenti. Les rappels déjà planifiés suivent dès l'enregistrement ; ceux déjà envoyés ne repartent pas.
console-reminder-list = Rappels envoyés
console-reminder-when = Délai
console-reminder-before = Avant
console-reminder-amount = Combien
console-reminder-unit = Unité
console-unit-days = jours
console-unit-hours = heures
console-unit-minutes = minutes
console-anchor-stop = l'étape
console-anchor-session = chaque atelier
console-quiet-hours = Heures de silence (heure locale de l'étape)
console-quiet-on = Pas de SMS pendant ces heures : ils partent à la fin
console-quiet-from = De
console-quiet-to = À
console-policy-own-edition = Règle de cette édition
console-policy-own-stop = Règle propre à cette étape
console-policy-edition = Règle de l'édition (cette étape n'a pas la sienne)
console-policy-default = Règle par défaut de la plateforme
console-policy-inherit-stop = Suivre la règle de l'édition
console-policy-inherit-edition = Revenir à la règle par défaut
console-replanned = Enregistré : { $planned } rappels planifiés, { $withdrawn } retirés.
console-edition-reminders = Rappels de l'édition
console-no-message = Aucun message.
console-message-state-pending = prévu
console-message-state-queued = en cours d'envoi
console-message-state-sending = en cours d'envoi
console-message-state-sent = envoyé
console-message-state-delivered = remis
console-message-state-failed = en échec
console-message-state-cancelled = retiré
console-message-state-suppressed = non envoyé (consentement retiré)

## The organizer's profile
console-profile = L'organisateur
console-look = Apparence et sites
console-tenant-name = Nom de l'organisateur
console-tenant-zone = Fuseau horaire par défaut
console-tenant-zone-hint = Celui des nouvelles étapes, par exemple Africa/Casablanca.
console-tenant-language = Langue par défaut (des messages à qui n'en a pas choisi)
console-sender-name = Nom de l'expéditeur des e-mails
console-sender-name-hint = Facultatif : le nom de l'organisateur sinon. L'adresse d'envoi est réglée par l'exploitant de la plateforme.
console-sms-sender = Expéditeur des SMS
console-sms-sender-hint = Facultatif : 3 à 11 lettres ou chiffres, si l'opérateur l'autorise.
console-logo = Logo
console-logo-hint = PNG, JPEG ou WebP, 48 Ko au plus : il s'affiche en tête des pages de l'organisateur.
console-logo-upload = Envoyer le logo

## Series, editions, speakers, partners
console-directory = Catalogue
console-series = Séries et éditions
console-series-one = Série
console-new-series = Nouvelle série
console-series-name = Nom de la série
console-series-slug = Identifiant dans l'adresse (minuscules et tirets)
console-new-edition = Nouvelle édition
console-edition-draft = brouillon
console-edition-published = publiée
console-edition-archived = archivée
console-edition-to-published = Publier
console-edition-to-draft = Repasser en brouillon
console-edition-to-archived = Archiver
console-speakers = Intervenants
console-new-speaker = Nouvel intervenant
console-speaker-name = Nom complet
console-speaker-title = Fonction (facultatif)
console-speaker-organization = Organisation (facultatif)
console-speaker-email = E-mail (facultatif, pour sa page)
console-partners = Partenaires
console-new-partner = Nouveau partenaire
console-partner-one = Partenaire
console-partner-name = Nom
console-partner-kind = Type
console-partner-website = Site (facultatif)
console-new-partnership = Partenaire d'une édition
console-partner-tier = Rang
console-kind-bank = banque
console-kind-telecom = télécoms
console-kind-public_agency = agence publique
console-kind-chamber = chambre
console-kind-training = formation
console-kind-cooperation = coopération
console-kind-media = média
console-kind-other = autre
console-tier-principal = partenaire principal
console-tier-official = partenaire officiel
console-tier-institutional = partenaire institutionnel
console-tier-media = partenaire média
console-tier-supporter = soutien

## The door
console-door = Accueil
console-door-counts = Entrés : { $in } sur { $confirmed } confirmés
console-door-code = Code du billet
console-door-check = Vérifier
console-door-inputs = Scannez le QR code avec un lecteur (il tape le code puis Entrée) ou tapez le code : majuscules, espaces et tiret sont pardonnés.
console-door-unknown = Billet inconnu : vérifiez le code
console-doors = Accueil des étapes
console-door-unknown-offline = Pas sur la liste de cette étape (hors ligne) : vérifiez le code
console-door-online = En ligne
console-door-offline = Hors ligne : les entrées sont gardées sur cet appareil
console-door-queued = À transmettre : { $count }
console-door-list = Liste du jour ({ $count }) lue à { $time }
console-door-no-list = Pas de liste du jour sur cet appareil : ouvrez cet écran en ligne le jour de l'étape
console-door-saved-offline = Hors ligne : entrée enregistrée, transmise au retour du réseau
console-door-camera = Scanner avec la caméra
console-door-camera-stop = Arrêter la caméra
console-door-inputs-camera = Sur cet appareil : la caméra (QR code), un lecteur de codes (il tape le code puis Entrée) ou la saisie à la main.
console-door-inputs-plain = Sur cet appareil : un lecteur de codes (il tape le code puis Entrée) ou la saisie à la main. Ce navigateur ne lit pas les QR codes avec la caméra (Chrome sur Android le fait).
console-door-reported = Entré·e deux fois ou malgré la liste : à vérifier
console-door-signed-out = Session terminée : reconnectez-vous pour transmettre les entrées
console-door-leave = Des entrées ne sont pas encore transmises ; se déconnecter les effacera de cet appareil. Continuer ?
console-door-unnamed = Porte sans nom
console-door-elsewhere = Ailleurs (API)
console-door-at = { $door } : { $count }
console-door-report = { $kind } — { $door }, { $time }
console-door-report-twice = Entré·e deux fois
console-door-report-refused = Entré·e hors ligne malgré la liste
console-door-reports = À vérifier
console-door-name = Nom de cette porte
console-door-name-label = Nom de la porte (chaque porte est comptée à part)
console-door-name-hint = Entrée nord
console-door-bad-batch = Envoi illisible : rechargez la page
console-door-rooms = Portes des ateliers
console-door-main = Porte de l'étape
