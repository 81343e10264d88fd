"""Backups (DESIGN rule 13): one archive of the database, every blob of the document store and
the audit checkpoint journal, with a manifest of their SHA-256s, written while the app runs;
and its restore into an empty installation, after which the audit chain verifies.

The archive is a tar file (gzip-compressed when its name ends in .tar.gz or .tgz):

    database/NNN-<table>.jsonl     every table's rows, in dependency order (tables.py)
    blobs/ab/cdef…                 the document store, file for file
    audit/audit-checkpoints.jsonl  the checkpoint journal
    manifest.json                  format, schema revision, tables, SHA-256 and size of each file

The audit key is never in it: a backup that carried its own key would prove nothing, so the
restored chain verifies only under the key the office keeps apart.
"""

from app.services.backup.archive import BackupError, BackupSummary, create_backup
from app.services.backup.restore import RestoreSummary, read_manifest, restore_backup

__all__ = [
    "BackupError",
    "BackupSummary",
    "RestoreSummary",
    "create_backup",
    "read_manifest",
    "restore_backup",
]
