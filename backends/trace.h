#include "trace-backends.h"
