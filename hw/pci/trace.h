#include "trace-hw_pci.h"
