"""The patient's pages and the staff pages that hand out patient links."""
