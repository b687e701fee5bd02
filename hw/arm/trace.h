#include "trace-hw_arm.h"
