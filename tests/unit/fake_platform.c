/* What the platform provides in firmware, for host tests: a uuid setting
 * without SMBIOS behind it (tests store a value when they need one). */
#include <dust/settings.h>

GLOBAL_SETTING(SETTING_ORDER_HOST) uuid_setting = {
	"uuid", "system UUID (test)", &setting_type_uuid, TAG_UUID, NULL };
