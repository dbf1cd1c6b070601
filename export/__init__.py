"""The assessment for the council: a versioned JSON document, and HL7 FHIR R4 (Questionnaire and
QuestionnaireResponse). Pure functions of the assessment, the plan and the question bank."""

from export import fhir
from export.content import ExportError, content_version
from export.document import DOCUMENT_TYPE, SCHEMA_VERSION, assessment_json, assessment_schema

__all__ = ["DOCUMENT_TYPE", "SCHEMA_VERSION", "ExportError", "assessment_json", "assessment_schema",
           "content_version", "fhir"]
