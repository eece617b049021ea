terraform {
  required_providers {
    hvc = { source = "hvcsdk/hvc" }
  }
}

# Configured entirely by the exports of `hvcctl sim`.
provider "hvc" {}

variable "psc_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "psc_thumbprint" {
  type    = string
  default = null
}

resource "hvc_link" "onprem" {
  psc_hostname   = "psc.foreign.example"
  domain_name    = "foreign.local"
  username       = "administrator@foreign.local"
  password_wo    = var.psc_password
  ssl_thumbprint = var.psc_thumbprint
}

resource "hvc_administrator" "cloud_admins" {
  group_name = "CloudAdmins@foreign.local"
}

data "hvc_link" "onprem" {
  id = hvc_link.onprem.id
}

output "link" {
  value = "${hvc_link.onprem.id} (${hvc_link.onprem.display_name}): ${data.hvc_link.onprem.connection_health_status}"
}
