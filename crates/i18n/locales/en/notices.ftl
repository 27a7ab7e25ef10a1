# Notices to a participant about their registration (beside the answer).

sms-blocked = This number replied STOP to our SMS earlier, so none will be sent to it. To get SMS again, reply START to one of our messages, then tick the SMS box on your registration's page.
