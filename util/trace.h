#include "trace-util.h"
