#include <sqlite3.h>
#include "glo_sqlite_settings.h"

int glo_sqlite_memory_statistics_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
