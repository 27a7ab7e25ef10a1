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
