"""The code systems and identifier namespaces the FHIR export writes (URIs, as data)."""

from __future__ import annotations

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# The HCPCS system Da Vinci PAS uses for DME DeviceRequests.
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NPI = "http://hl7.org/fhir/sid/us-npi"
MBI = "http://hl7.org/fhir/sid/us-mbi"
UCUM = "http://unitsofmeasure.org"
DEGREES = "http://terminology.hl7.org/CodeSystem/v2-0360|2.7"
# v2 table 0360 has these credentials; DPM, PT, DC and OT are given as text only.
V2_DEGREES = frozenset({"MD", "DO", "PA", "NP", "CNS", "RN"})
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SELF_PAY = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
PAYER_IDS = "urn:dme-service:payer"
# RFC 6920 "Naming Things with Hashes": the SHA-256 of the PDF as a URI. FHIR R4's
# Attachment.hash is defined as SHA-1, so the stored SHA-256 travels as an identifier.
NI_SHA256 = "urn:ietf:rfc:6920"
PARAMETERS = "urn:dme-service:devicerequest-parameter"
# HCPCS as EHRs send it: CRD's Blue Button URI, the CMS release page (https), and the http form
# this service's own export writes. A DeviceRequest coded under any of them is read.
HCPCS_SYSTEMS = frozenset(
    {
        "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        HCPCS,
    }
)
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
# v2 table 0203 identifier type "MB" (member number), how US Core marks a member id.
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
