"""E-mail transport: the SMTP connection and sending (smtp). The checks on sender and
recipient addresses are a loose module (durable_research.addresses): config applies them
when it loads the settings, and config sits below every wing."""
