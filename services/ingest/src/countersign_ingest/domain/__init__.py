"""What ingest knows without asking anyone: Dext's items and their journeys, the rules a
publication keeps, the files and signatures it accepts. No IO and no HTTP here."""
