-- The SQL tracker store's database next to the case database (first start of the volume only).
CREATE DATABASE rasa_tracker OWNER civic;
