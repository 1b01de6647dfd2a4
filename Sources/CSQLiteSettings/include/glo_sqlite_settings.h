#ifndef GLO_SQLITE_SETTINGS_H
#define GLO_SQLITE_SETTINGS_H

/// Turns off SQLite's memory statistics, process-wide. Must run before SQLite's first use in the
/// process (before any connection is opened); returns SQLITE_OK, or SQLITE_MISUSE when SQLite is
/// already initialised (the setting is then left as it was).
///
/// Why: with the statistics on (SQLite's default), every allocation and free inside SQLite takes one
/// process-wide mutex. The writer thread and the readers then queue on it, and under load the
/// threads sleep on that lock many hundred times a second. glo-host never reads the statistics.
///
/// `sqlite3_config` is a C variadic function, which Swift cannot call; hence this shim.
int glo_sqlite_memory_statistics_off(void);

/// 1 when SQLite counts its memory in this process (the statistics are on), else 0.
int glo_sqlite_memory_statistics_kept(void);

#endif
