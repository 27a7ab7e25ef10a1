# Erreurs que les personnes voient : réponses de l'API, champs des
# formulaires, la porte. La règle d'un champ suit son nom (« email : n'est
# pas une adresse e-mail valide »).

## Tout champ

field-empty = est vide
field-required = est obligatoire
field-not-blank = ne doit pas être vide
field-too-long = dépasse { $max } caractères
field-length = doit faire de 1 à { $max } caractères
field-control-chars = contient des caractères de contrôle
field-too-large = est trop grand
field-not-negative = ne doit pas être négatif
field-at-most = doit valoir au plus { $max }
field-at-least = doit valoir au moins { $min }
field-future = doit être dans le futur
field-one-of = doit être l'une des valeurs : { $values }
field-bad-id = n'est pas un identifiant valide
field-bad-cursor = n'est pas un curseur de cette API
field-not-url = n'est pas une adresse web
field-not-http = doit être une adresse http(s)

## Valeurs saisies

value-email = n'est pas une adresse e-mail valide
value-phone-chars = n'est pas un numéro de téléphone (chiffres, espaces et un + au début seulement)
value-phone = n'est pas un numéro de téléphone
value-phone-country = n'est pas un numéro valide pour son pays
value-phone-stored = le numéro enregistré n'est pas au format E.164
value-name = n'est pas un nom
value-locale = doit être fr, ar ou en
value-ticket = n'est pas un code de billet
value-slug = doit faire de 2 à 63 lettres minuscules, chiffres ou tirets simples (par ex. attitudes-conseil)
value-seats-min = doit compter au moins 1 place
value-seats-max = doit compter au plus { $max } places
value-time-zone = n'est pas un fuseau horaire IANA comme Africa/Casablanca
value-unknown = { $kind } inconnu « { $value } »
value-time-of-day = « { $value } » n'est pas une heure comme 21:00
value-local-time = doit être une date et une heure locales comme 2027-01-16T09:00
value-instant-or-local = donnez l'instant ou l'heure locale, pas les deux
value-time-required = est obligatoire (instant ou heure locale)

## Introuvable

not-found = { $entity ->
    [stop] Escale introuvable
    [session] Séance introuvable
    [registration] Inscription introuvable
    [participant] Participant introuvable
    [edition] Édition introuvable
    [series] Série introuvable
    [speaker] Intervenant introuvable
    [partner] Partenaire introuvable
    [partnership] Partenariat introuvable
    [member] Membre introuvable
    [user] Utilisateur introuvable
    [organizer] Organisateur introuvable
    [tenant] Organisateur introuvable
    [api-key] Clé d'API introuvable
    [notification] Message en échec introuvable
   *[other] Objet introuvable
}

## L'inscription et la suite

register-contact = donnez une adresse e-mail ou un numéro de téléphone (ou les deux)
register-not-mobile = ce numéro ne peut pas recevoir de SMS (ce n'est pas un mobile) ; donnez un numéro de mobile ou ne demandez pas de SMS
register-sms-country = les SMS ne partent que vers les numéros de { $allowed } ; ce numéro est de { $found } ; donnez un tel mobile ou ne demandez pas de SMS
register-too-many-sessions = 20 séances au plus par inscription
register-session-elsewhere = une séance choisie ne fait pas partie de cette escale
window-opens = les inscriptions à cette escale ouvrent le { $at }
window-closed = les inscriptions à cette escale sont closes
window-unavailable = cette escale n'est pas ouverte aux inscriptions
question-session-elsewhere = n'est pas une séance de l'escale de cette inscription
registration-cancelled = cette inscription a été annulée
stop-over = cette escale est terminée
contact-lookup = donnez une adresse e-mail, un numéro de téléphone ou un code de billet
cancel-started = l'escale a commencé ; adressez-vous à l'accueil
workshop-started = cet atelier a commencé ; il ne peut plus changer
consent-no-email = aucune adresse e-mail n'est enregistrée pour cette inscription
consent-no-mobile = aucun numéro de mobile n'est enregistré pour cette inscription
cancel-checked-in = ce participant est déjà entré ; une personne présente ne peut pas être désinscrite
ticket-or-link = donnez ticketCode, ou registrationId avec signature, ou (organisateurs) registrationId seul
ticket-or-unsubscribe-link = donnez ticketCode, ou participantId avec signature

## Connexion et droits

bad-credentials = e-mail ou mot de passe incorrect
token-invalid = jeton invalide ou expiré
log-in-first = connectez-vous d'abord : envoyez Authorization: Bearer <jeton>
which-organizer = vous êtes membre de plusieurs organisateurs : indiquez celui auquel vous connecter (son identifiant)
role-forbids = votre rôle ({ $role }) ne permet pas { $action }
key-lacks-scope = cette clé d'API n'a pas la portée { $scope }
key-invalid = clé d'API invalide, révoquée ou expirée
key-not-partner = cette clé d'API est celle de l'organisateur, pas d'un partenaire
partner-api-needs-key = l'API des partenaires demande la clé d'API d'un partenaire (esk_live_…)
owner-only = seul un propriétaire peut nommer, modifier ou retirer un propriétaire
last-owner = { $verb ->
    [removed] le dernier propriétaire ne peut pas être retiré : nommez d'abord un autre propriétaire
   *[demoted] le dernier propriétaire ne peut pas être rétrogradé : nommez d'abord un autre propriétaire
}
member-exists = cette personne est déjà membre de cet organisateur
organizer-exists = l'organisateur { $slug } existe déjà
password-min = doit faire au moins { $min } caractères
password-bytes = dépasse 1024 octets
password-weak = est trop facile à deviner : choisissez une phrase plus longue de plusieurs mots peu courants
password-new-account = est obligatoire pour un nouveau compte
scope-unknown = « { $scope } » n'est pas une portée
scopes-empty = indiquez au moins une portée
scope-organizer-only = { $scope } est une portée d'organisateur ; la clé d'un partenaire a agenda:read, stats:read, leads:read
scope-partner-only = { $scope } est une portée de partenaire : créez la clé pour un partenaire (partnerId)
scope-people-only = { $scope } est réservée aux personnes : une clé ne peut ni créer de clés ni changer l'équipe
rate-limited = trop de tentatives ; réessayez dans { $seconds } s
key-rate-limited = limite de débit de cette clé d'API atteinte ; réessayez dans { $seconds } s

## Construire le programme

time-skipped = { $time } n'existe pas dans { $zone } (l'heure change ce jour-là)
translation-twice = la langue { $locale } est donnée deux fois
ends-after-start = doit être après startsAt
stop-max-days = une escale dure au plus 14 jours
close-after-start = ne doit pas être après le début de l'escale
open-after-close = doit être avant registrationClosesAt
open-after-start = doit être avant le début de l'escale
series-exists = la série { $slug } existe déjà
edition-number = doit valoir au moins 1
edition-year = doit être une année comme 2027
edition-exists = l'édition { $number } de cette série existe déjà
shift-days = doit rester dans les dix ans
session-outside-stop = une séance doit avoir lieu pendant son escale
topics-max = 6 thèmes au plus
capacity-below-taken = { $taken } places sont déjà prises ; la capacité ne peut pas être inférieure
partner-exists = un partenaire de ce nom existe déjà
reschedule-before-close = l'escale commencerait avant la clôture des inscriptions ; déplacez d'abord registrationClosesAt
reschedule-session-outside = la séance « { $title } » finirait en dehors des nouveaux horaires ; raccourcissez-la ou élargissez l'escale
edition-or-stop = donnez exactement un de editionId et stopId
edition-or-stop-not-both = donnez editionId ou stopId, pas les deux

## Messages

policy-max = { $max } rappels au plus par règle
policy-minutes = doit être entre 1 et { $max } minutes (90 jours)
policy-duplicate = { $minutes } minutes avant { $anchor ->
    [session] chaque atelier
   *[stop] l'escale
} figure deux fois
channels-empty = indiquez au moins un canal
time-of-day = doit être une heure entre 00:00 et 23:59
quiet-hours-empty = les heures de silence ne doivent pas être vides
template-part-size = une partie du modèle dépasse 64 Kio
template-sms-subject = un SMS n'a qu'un texte
template-sms-segments = l'exemple fait { $segments } segments SMS ; { $max } au plus sont envoyés
template-undefined = { $expression } n'est pas une variable de ce message (voir docs/TEMPLATES.md pour la liste)
template-invalid = { $detail }
broadcast-subject = une ligne de 1 à { $max } caractères
broadcast-body = de 1 à { $max } caractères
retry-ids = donnez de 1 à 500 identifiants de messages
sms-cap = doit être entre 0 (aucun SMS) et 1 000 000
country-code = « { $value } » n'est pas un code de pays (ISO 3166, deux lettres : MA, FR)
countries-count = donnez de 1 à 30 pays
look-accent-format = doit être une couleur écrite #RRVVBB (par exemple #0b5d6b)
look-accent-contrast = est trop claire : un texte blanc dessus se lirait à { $ratio }:1, et les pages demandent 4,5:1 (WCAG AA) ; choisissez une teinte plus sombre
look-logo-format = doit être une image PNG, JPEG ou WebP en URL data: (data:image/png;base64,…)
look-logo-size = doit peser au plus { $max } Kio
look-origin = « { $origin } » n'est pas une origine comme https://www.exemple.ma (https, sans chemin)
look-origins-count = peut citer au plus { $max } sites
organizer-slug-reserved = « { $slug } » est une adresse de la plateforme elle-même ; choisissez-en une autre
sms-sender-id = de 3 à 11 lettres ou chiffres, sans espace ni accent
