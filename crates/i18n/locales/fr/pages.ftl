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
