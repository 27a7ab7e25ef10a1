# La porte : ce que l'équipe lit après chaque scan (heures locales de l'escale).

door-welcome = Bienvenue, { $name }
door-already = { $name } est déjà entré·e (depuis { $time })
door-cancelled = cette inscription a été annulée le { $date } à { $time }
door-waitlisted = cette personne est sur la liste d'attente (position { $position }), pas confirmée
door-other-stop = ce billet est pour { $stop } le { $date }, pas pour cette escale
door-too-early = ce billet est pour le { $date } à { $time } : la porte ouvre le { $opens }
door-too-late = ce billet était pour le { $date } : l'escale est terminée
door-changed = cette inscription a changé pendant le scan ; scannez à nouveau
