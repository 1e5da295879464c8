"""E-mail: SMTP sending (smtp) and the checks on sender and recipient addresses
(addresses)."""
