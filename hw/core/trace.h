#include "trace-hw_core.h"
