# The password of the on-premises domain's administrator: an ephemeral
# variable (Terraform 1.10+) is saved in neither plan nor state, and
# password_wo is write-only, so the password is stored nowhere.
variable "psc_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "psc_thumbprint" {
  type = string
}

resource "hvc_link" "onprem" {
  psc_hostname   = "psc.corp.example"
  domain_name    = "vsphere.local"
  username       = "administrator@vsphere.local"
  password_wo    = var.psc_password
  ssl_thumbprint = var.psc_thumbprint
  admin_groups   = ["CloudAdmins@vsphere.local"]

  timeouts {
    create = "10m"
  }
}
