"""Claims as the payer sees them: the X12 837P claim file, its scrubber, and the 835 remittance.

Pure (no Flask, no SQLAlchemy): the services turn database rows into the plain facts of
`claims.facts` and hand them here; everything here works on those facts and on text.
The transaction sets are ASC X12 005010X222A1 (837P, health care claim: professional) and
005010X221A1 (835, health care claim payment/advice); every segment's place and usage was
checked against the implementation-guide maps that pyx12 ships (`pyx12/map/837.5010.X222.A1.xml`
and `835.5010.X221.A1.xml`), which the tests also validate each generated file against.
"""
