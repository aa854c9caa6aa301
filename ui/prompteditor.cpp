// SPDX-License-Identifier: MIT
#include "ui/prompteditor.h"
