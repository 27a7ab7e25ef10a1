# Avis au participant sur son inscription (à côté de la réponse).

sms-blocked = Ce numéro a répondu STOP à nos SMS : aucun ne lui sera envoyé. Pour recevoir à nouveau les SMS, répondez START à l'un de nos messages, puis cochez la case SMS sur la page de votre inscription.
