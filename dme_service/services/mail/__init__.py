"""Mail: the messages (no patient data: a link and a count only), sending them through SMTP
or into instance/outbox/, and the notices that decide who gets which."""
