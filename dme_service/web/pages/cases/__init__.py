"""The clinician's case list, case page and its section forms (blueprint "cases")."""
