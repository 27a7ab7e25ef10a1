# La porte : ce que l'équipe lit après chaque scan (heures locales de l'escale).

door-welcome = Bienvenue, { $name }
door-already = { $name } est déjà entré·e (depuis { $time })
door-cancelled = cette inscription a été annulée le { $date } à { $time }
door-waitlisted = cette personne est sur la liste d'attente (position { $position }), pas confirmée
door-other-stop = ce billet est pour { $stop } le { $date }, pas pour cette escale
door-too-early = ce billet est pour le { $date } à { $time } : la porte ouvre le { $opens }
door-too-late = ce billet était pour le { $date } : l'escale est terminée
door-changed = cette inscription a changé pendant le scan ; scannez à nouveau
door-conflict = { $name } était déjà entré·e par { $door } à { $time } : admis·e deux fois
door-unknown = Billet inconnu : vérifiez le code
door-synced = scan déjà transmis
door-scan-key = identifiant de scan invalide (8 à 64 lettres, chiffres ou tirets)
door-too-many-scans = au plus { $max } scans par envoi
door-no-scans = aucun scan à transmettre
door-list-closed = la liste de la porte n'est donnée que le jour de l'escale : de { $opens } à { $closes }
door-no-seat = pas de place réservée dans l'atelier « { $workshop } »
door-conflict-elsewhere = { $name } était déjà entré·e à { $time } : admis·e deux fois
