# Les pages derrière les liens des messages : l'inscription d'un participant
# (/m/…) et la page des intervenants d'une session (/s/…).

page-invalid-link-title = Lien non valide
page-invalid-link = Ce lien n'est pas valide, ou ne l'est plus. Utilisez le lien de votre dernier message, ou contactez l'organisateur.
manage-title = Votre inscription
manage-hello = Bonjour { $name },
manage-confirmed = Votre place est confirmée.
manage-waitlisted = Vous êtes sur la liste d'attente : { $position ->
    [one] vous êtes le ou la prochaine.
   *[other] position { $position }.
}
manage-cancelled = Cette inscription a été annulée le { $date }.
manage-checked-in = Entrée enregistrée à { $time }.
manage-when = Quand
manage-where = Où
manage-ticket = Code d'entrée
manage-ticket-note = Présentez ce code ou son QR code à l'entrée.
speaker-title = Questions pour « { $session } »
speaker-count = { $count ->
    [0] Pas encore de question.
    [one] Une question.
   *[other] { $count } questions.
}
page-unavailable = Le service est momentanément indisponible ; réessayez dans un instant.

# Les pages publiques : l'organisateur, l'étape, le formulaire d'inscription.

page-skip = Aller au contenu
page-languages = Langue
page-footer = Inscriptions par Escale. Vos données restent chez l'organisateur.
page-not-found-title = Page introuvable
page-not-found = Cette adresse ne mène à aucune page. Vérifiez le lien, ou revenez à la page de l'organisateur.
page-slow-down = Trop de demandes
home-title = Les organisateurs
tenant-partners = Partenaires
tenant-nothing-now = Aucune étape n'est annoncée pour le moment.
tenant-past = Éditions précédentes
stop-seats-left = { $count ->
    [0] Complet
    [one] Une place restante
   *[other] { $count } places restantes
}
stop-full-waitlist = Complet — liste d'attente ouverte
stop-opens = Inscriptions à partir du { $date }
stop-closed = Inscriptions closes
stop-zone = heure locale, { $zone }
stop-directions = Accès
session-more = En savoir plus
stop-map = Voir sur la carte
stop-alternatives = D'autres étapes ont encore des places
stop-agenda = Programme
session-workshop = Atelier
session-talk = Conférence
session-panel = Table ronde
session-meeting = Rencontres
session-full-waitlist = Complet — liste d'attente
topic-digital-marketing = Marketing digital
topic-financial-education = Éducation financière
topic-budgeting = Gestion du budget
topic-banking-relations = Relation avec la banque
topic-digital-transformation = Transformation digitale
topic-other = Autre sujet
language-fr = Français
language-ar = Arabe
language-en = Anglais
segment-tpe = Très petite entreprise (TPE)
segment-micro-enterprise = Micro-entreprise
segment-auto-entrepreneur = Auto-entrepreneur
segment-project-holder = Porteur de projet
segment-other = Autre
form-title = S'inscrire
form-title-waitlist = S'inscrire sur la liste d'attente
form-has-errors = Certaines réponses sont à corriger ; elles sont signalées ci-dessous.
form-name = Nom complet
form-contact-hint = Un e-mail ou un numéro de téléphone (ou les deux), pour vous envoyer votre code d'entrée.
form-email = E-mail
form-phone = Téléphone
form-phone-hint = Par exemple 06 12 34 56 78 ou +212 6 12 34 56 78
form-language = Langue de vos messages
form-sessions = Ateliers auxquels vous souhaitez participer
form-profile = Votre activité (facultatif)
form-segment = Vous êtes
form-company = Entreprise ou projet
form-sector = Secteur d'activité
form-region = Région
form-question = Une question pour les intervenants (facultatif)
form-topic = Sujet
form-question-body = Votre question
form-consents = Vos choix (facultatifs)
form-consent-email = Recevoir des rappels par e-mail avant l'événement.
form-consent-sms = Recevoir des rappels par SMS avant l'événement.
form-consent-partners = Partager mon nom et mes coordonnées avec les partenaires de l'étape.
privacy-title = Vos données personnelles
privacy-notice = { $organizer } recueille ces informations pour gérer votre inscription, vous envoyer votre code d'entrée et, si vous l'acceptez, des rappels. Elles ne servent à rien d'autre et ne sont transmises aux partenaires que si vous cochez la case correspondante. Elles sont conservées jusqu'à la fin de l'édition, puis effacées ou rendues anonymes. Vous pouvez retirer chaque consentement à tout moment depuis le lien de votre message de confirmation, ou en répondant STOP aux SMS, et demander l'accès à vos données ou leur effacement à l'organisateur (loi 09-08 au Maroc, RGPD en Europe).
form-submit = Confirmer mon inscription
form-submit-waitlist = M'inscrire sur la liste d'attente
form-cross-site-title = Formulaire refusé
form-cross-site = Ce formulaire n'a pas été envoyé depuis nos pages. Ouvrez la page de l'étape et réessayez.
form-forged = Ce formulaire ne vient pas de nos pages. Ouvrez la page de l'étape et réessayez.
form-expired = La page est restée ouverte trop longtemps. Vérifiez vos réponses et envoyez à nouveau.
register-already-title = Vous êtes déjà inscrit
register-already = Une inscription existe déjà pour cette étape avec ces coordonnées. Le lien pour la voir ou la modifier se trouve dans votre message de confirmation.
manage-welcome = C'est fait : votre inscription est enregistrée. Un message de confirmation va vous parvenir.
manage-calendar = Ajouter à mon agenda
manage-print = Imprimer mon billet
manage-keep-link = Gardez ce lien : il vous permet de revenir sur cette page. Ne le partagez pas.
manage-cancel = Annuler mon inscription
cancel-title = Annuler l'inscription
cancel-explain = Votre place sera proposée à la prochaine personne de la liste d'attente. Cette action est définitive.
cancel-confirm = Oui, annuler mon inscription
cancel-back = Non, revenir à mon inscription
manage-ask = Envoyer ma question
manage-question-sent = Votre question est transmise aux intervenants, sans votre nom.
manage-consent-given = accepté le { $date }
manage-consent-not-given = non accepté
manage-consent-withdraw = Retirer mon accord
manage-consent-withdrawn = C'est noté : votre accord est retiré, et ce qui en dépendait ne partira pas.
manage-workshops = Mes ateliers
manage-workshop-in = Vous avez une place.
manage-workshop-waiting = Liste d'attente de l'atelier : position { $position }.
manage-workshop-held = Votre place dans cet atelier est réservée jusqu'à ce que vous obteniez une place à l'étape.
manage-workshop-join = M'inscrire à cet atelier
manage-workshop-join-waitlist = Rejoindre sa liste d'attente
manage-workshop-leave = Quitter cet atelier
manage-workshop-started = L'atelier a commencé.
manage-workshop-joined = C'est fait : vous avez une place dans l'atelier.
manage-workshop-queued = C'est noté : vous êtes sur la liste d'attente de l'atelier.
manage-workshop-left = C'est noté : vous avez quitté l'atelier, et votre place va à la personne suivante.
manage-consent-give = Donner mon accord
manage-consent-recorded = C'est noté : votre accord est enregistré.
manage-language-save = Enregistrer
manage-language-changed = C'est noté : vos prochains messages seront dans cette langue.
