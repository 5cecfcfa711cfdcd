"""Code tables every layer reads: ICD-10-CM, HCPCS, CARC/RARC. Pure."""
