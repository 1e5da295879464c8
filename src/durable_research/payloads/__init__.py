"""What travels through Temporal as payloads: the JSON data converter, payload encryption
(codec) bound to its workflow (binding), and the remote codec endpoint for the Temporal UI
(codec_handler, codec_server)."""
