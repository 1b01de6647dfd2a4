#include <sqlite3.h>
#include "glo_sqlite_settings.h"

int glo_sqlite_memory_statistics_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int glo_sqlite_memory_statistics_kept(void) {
    /* With the statistics off, SQLite's count of the memory it uses stays at zero. */
    return sqlite3_memory_used() > 0;
}
