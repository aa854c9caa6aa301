// SPDX-License-Identifier: MIT
#include "ui/heatmapview.h"
