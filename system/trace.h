#include "trace-system.h"
